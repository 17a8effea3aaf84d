import { DEMO_JPEG, DEMO_PNG } from "./demo-bytes.js";
import type { FileFolder } from "./file-folder.js";
import type { NewAttachment, SandboxModule, SandboxStore, SandboxUser } from "./store.js";

export { DEMO_TOKEN } from "./scopes.js";

/** How many attachments the "many" contact has: more than one page of 200. */
export const MANY_ATTACHMENTS_COUNT = 450;

/** Ids of the demo data. Stable across runs: tests and the README use them. */
export const DEMO_IDS = {
  users: {
    annLee: "2034020000000112001",
    raviKumar: "2034020000000112002",
    mariaGarcia: "2034020000000112003",
    tomBecker: "2034020000000112004",
  },
  /** Contacts "John Doe": a PDF, a PNG, a JPEG, a .docx and a link. */
  contact: "2034020000000100001",
  /** Contacts "Emma Wilson": no attachments. */
  contactWithoutAttachments: "2034020000000100002",
  /** Contacts "Priya Sharma": MANY_ATTACHMENTS_COUNT generated attachments. */
  contactWithManyAttachments: "2034020000000100003",
  /** Contacts "Liam Chen": one PDF. */
  contactLiam: "2034020000000100004",
  /** Contacts "Sofia Rossi": one link. */
  contactSofia: "2034020000000100005",
  pipeline: "2034020000000200001",
  account: "2034020000000300001",
  product: "2034020000000400001",
  task: "2034020000000500001",
  event: "2034020000000600001",
  note: "2034020000000700001",
  attachments: {
    contactPdf: "2034020000000900001",
    contactPng: "2034020000000900002",
    contactJpeg: "2034020000000900003",
    contactDocx: "2034020000000900004",
    contactLink: "2034020000000900005",
    liamPdf: "2034020000000900006",
    sofiaLink: "2034020000000900007",
    pipelinePdf: "2034020000000900008",
    pipelinePng: "2034020000000900009",
    pipelineLink: "2034020000000900010",
    accountPng: "2034020000000900011",
    accountPdf: "2034020000000900012",
    productPdf: "2034020000000900013",
    productJpeg: "2034020000000900014",
    taskDocx: "2034020000000900015",
    eventPdf: "2034020000000900016",
    eventLink: "2034020000000900017",
    noteJpeg: "2034020000000900018",
    /** The first of the generated attachments; they are numbered on from here. */
    firstMany: "2034020000000901001",
  },
} as const;

const USERS: SandboxUser[] = [
  { id: DEMO_IDS.users.annLee, name: "Ann Lee", email: "ann.lee@zylker.example" },
  { id: DEMO_IDS.users.raviKumar, name: "Ravi Kumar", email: "ravi.kumar@zylker.example" },
  { id: DEMO_IDS.users.mariaGarcia, name: "Maria Garcia", email: "maria.garcia@zylker.example" },
  { id: DEMO_IDS.users.tomBecker, name: "Tom Becker", email: "tom.becker@zylker.example" },
];
const user = (index: number): SandboxUser => USERS[index % USERS.length] as SandboxUser;

/** 2025-01-06T09:00:00+05:30. */
const BASE_TIME = Date.UTC(2025, 0, 6, 3, 30, 0);
const HOUR = 3_600_000;

export const CONTENT_TYPES = {
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  txt: "text/plain",
} as const;

type Ext = keyof typeof CONTENT_TYPES;
const file = (fileName: string, size: number): NewAttachment => {
  const ext = fileName.slice(fileName.lastIndexOf(".") + 1) as Ext;
  return { type: "File", fileName, size, contentType: CONTENT_TYPES[ext] };
};
const link = (title: string, linkUrl: string): NewAttachment => ({
  type: "Link URL",
  title,
  linkUrl,
});

interface SeedRecord {
  module: SandboxModule;
  id: string;
  name: string;
  attachments: Array<[id: string, attachment: NewAttachment]>;
}

const A = DEMO_IDS.attachments;
const RECORDS: SeedRecord[] = [
  {
    module: "Contacts",
    id: DEMO_IDS.contact,
    name: "John Doe",
    attachments: [
      [A.contactPdf, file("Q4_Report.pdf", 1_048_576)],
      [A.contactPng, file("Signed_Form_Scan.png", 412_876)],
      [A.contactJpeg, file("Site_Visit_2025-01.jpg", 1_834_552)],
      [A.contactDocx, file("Service_Agreement_v2.docx", 56_120)],
      [A.contactLink, link("John Doe on LinkedIn", "https://www.linkedin.com/in/john-doe-zylker")],
    ],
  },
  {
    module: "Contacts",
    id: DEMO_IDS.contactWithoutAttachments,
    name: "Emma Wilson",
    attachments: [],
  },
  {
    module: "Contacts",
    id: DEMO_IDS.contactWithManyAttachments,
    name: "Priya Sharma",
    attachments: [],
  },
  {
    module: "Contacts",
    id: DEMO_IDS.contactLiam,
    name: "Liam Chen",
    attachments: [[A.liamPdf, file("Purchase_Order_4471.pdf", 184_302)]],
  },
  {
    module: "Contacts",
    id: DEMO_IDS.contactSofia,
    name: "Sofia Rossi",
    attachments: [[A.sofiaLink, link("Portfolio", "https://sofia-rossi.example/portfolio")]],
  },
  {
    module: "Pipelines",
    id: DEMO_IDS.pipeline,
    name: "Website Redesign - Acme Corporation",
    attachments: [
      [A.pipelinePdf, file("Proposal_Website_Redesign.pdf", 2_315_447)],
      [A.pipelinePng, file("Homepage_Mockup.png", 3_904_118)],
      [A.pipelineLink, link("Design board", "https://www.figma.com/file/acme-redesign")],
    ],
  },
  {
    module: "Accounts",
    id: DEMO_IDS.account,
    name: "Acme Corporation",
    attachments: [
      [A.accountPng, file("Acme_Logo.png", 48_209)],
      [
        A.accountPdf,
        {
          ...file("Mutual_NDA_Signed.pdf", 321_904),
          editable: false,
          sharingPermission: "read_only",
        },
      ],
    ],
  },
  {
    module: "Products",
    id: DEMO_IDS.product,
    name: "Widget Pro 3000",
    attachments: [
      [A.productPdf, file("Widget_Pro_3000_Datasheet.pdf", 742_650)],
      [A.productJpeg, file("Widget_Pro_3000_Front.jpg", 987_331)],
    ],
  },
  {
    module: "Tasks",
    id: DEMO_IDS.task,
    name: "Send follow-up quote",
    attachments: [[A.taskDocx, file("Quote_Draft_Acme.docx", 38_912)]],
  },
  {
    module: "Events",
    id: DEMO_IDS.event,
    name: "Quarterly business review",
    attachments: [
      [A.eventPdf, file("QBR_Agenda.pdf", 96_540)],
      [A.eventLink, link("Meeting room", "https://meet.zoho.com/qbr-acme-q1")],
    ],
  },
  {
    module: "Notes",
    id: DEMO_IDS.note,
    name: "Call notes: pricing discussion",
    attachments: [[A.noteJpeg, file("Whiteboard_Pricing.jpg", 1_204_776)]],
  },
];

const GENERATED_KINDS: Ext[] = ["pdf", "png", "jpg", "docx", "xlsx", "txt"];

/** The i-th (0-based) generated attachment of the "many" contact: mostly files, every 15th a link. */
function generatedAttachment(i: number): NewAttachment {
  const n = String(i + 1).padStart(4, "0");
  if ((i + 1) % 15 === 0) return link(`Reference ${n}`, `https://docs.zylker.example/ref/${n}`);
  const ext = GENERATED_KINDS[i % GENERATED_KINDS.length] as Ext;
  return file(`Document_${n}.${ext}`, 10_000 + ((i * 7919) % 2_000_000));
}

/** Loads the demo users, records and attachments into `store`. Deterministic. */
export function seedDemoData(store: SandboxStore): void {
  store.currentUser = user(0);
  let k = 0;
  const stamp = (attachment: NewAttachment): NewAttachment => {
    k += 1;
    const createdTime = BASE_TIME + k * 7 * HOUR;
    return {
      ...attachment,
      createdTime,
      // Every third one was edited later, by someone else.
      modifiedTime: k % 3 === 0 ? createdTime + 26 * HOUR : createdTime,
      createdBy: user(k),
      modifiedBy: user(k % 3 === 0 ? k + 1 : k),
      owner: user(k),
    };
  };
  for (const record of RECORDS) {
    store.addRecord(record.module, { id: record.id, name: record.name });
    for (const [id, attachment] of record.attachments) {
      store.addAttachment(record.module, record.id, { ...stamp(attachment), id });
    }
  }
  const first = BigInt(DEMO_IDS.attachments.firstMany);
  for (let i = 0; i < MANY_ATTACHMENTS_COUNT; i += 1) {
    store.addAttachment("Contacts", DEMO_IDS.contactWithManyAttachments, {
      ...stamp(generatedAttachment(i)),
      id: String(first + BigInt(i)),
    });
  }
}

/** Records that have a photo in the demo data (the others answer 204). */
export const DEMO_PHOTOS: ReadonlyArray<{ module: SandboxModule; id: string; png: boolean }> = [
  { module: "Contacts", id: DEMO_IDS.contact, png: true },
  { module: "Contacts", id: DEMO_IDS.contactLiam, png: false },
  { module: "Contacts", id: DEMO_IDS.contactSofia, png: true },
  { module: "Accounts", id: DEMO_IDS.account, png: true },
];

/** Writes the demo photos into `files` and sets them on their records. */
export async function seedDemoPhotos(store: SandboxStore, files: FileFolder): Promise<void> {
  for (const photo of DEMO_PHOTOS) {
    const bytes = photo.png ? DEMO_PNG : DEMO_JPEG;
    store.setPhoto(photo.module, photo.id, {
      contentType: photo.png ? "image/png" : "image/jpeg",
      size: bytes.length,
      path: await files.write(bytes),
    });
  }
}
