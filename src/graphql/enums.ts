import { registerEnumType } from "type-graphql";

/** Bigin modules that carry attachments (the API names Bigin uses in paths). */
export enum BiginModule {
  Contacts = "Contacts",
  Pipelines = "Pipelines",
  Accounts = "Accounts",
  Products = "Products",
  Tasks = "Tasks",
  Events = "Events",
  Notes = "Notes",
}

registerEnumType(BiginModule, {
  name: "BiginModule",
  description: "Bigin modules that carry attachments. Accounts are shown as Companies in Bigin.",
  valuesConfig: {
    Contacts: { description: "People." },
    Pipelines: { description: "Deals in a pipeline." },
    Accounts: { description: "Companies." },
    Products: { description: "Products and services." },
    Tasks: { description: "Tasks." },
    Events: { description: "Calendar events." },
    Notes: { description: "Notes on records." },
  },
});

export enum AttachmentType {
  FILE = "FILE",
  LINK = "LINK",
}

registerEnumType(AttachmentType, {
  name: "BiginAttachmentType",
  description: "Whether an attachment is an uploaded file or a link to a URL.",
  valuesConfig: {
    FILE: { description: 'An uploaded file (Bigin\'s $type "File").' },
    LINK: {
      description: 'A link to a URL (Bigin\'s $type "Link URL"); it has no bytes to download.',
    },
  },
});

const MODULES = new Set<string>(Object.values(BiginModule));

export function toBiginModule(value: unknown): BiginModule | null {
  return typeof value === "string" && MODULES.has(value) ? (value as BiginModule) : null;
}
