import { DEMO_IDS } from "../../src/sandbox/index.js";

/** The sandbox's demo records, named for what tests use them for. */
export const IDS = {
  rich: DEMO_IDS.contact,
  empty: DEMO_IDS.contactWithoutAttachments,
  many: DEMO_IDS.contactWithManyAttachments,
  byModule: {
    Contacts: DEMO_IDS.contact,
    Pipelines: DEMO_IDS.pipeline,
    Accounts: DEMO_IDS.account,
    Products: DEMO_IDS.product,
    Tasks: DEMO_IDS.task,
    Events: DEMO_IDS.event,
    Notes: DEMO_IDS.note,
  },
  allWithAttachments: [
    { module: "Contacts", id: DEMO_IDS.contact },
    { module: "Contacts", id: DEMO_IDS.contactLiam },
    { module: "Contacts", id: DEMO_IDS.contactSofia },
    { module: "Pipelines", id: DEMO_IDS.pipeline },
    { module: "Accounts", id: DEMO_IDS.account },
    { module: "Products", id: DEMO_IDS.product },
    { module: "Tasks", id: DEMO_IDS.task },
    { module: "Events", id: DEMO_IDS.event },
    { module: "Notes", id: DEMO_IDS.note },
  ],
} as const;
