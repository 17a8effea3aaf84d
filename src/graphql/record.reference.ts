import { toBiginModule } from "./enums.js";
import { badUserInput } from "./errors.js";
import { checkId } from "./record.resolver.js";
import { type BiginRecord } from "./record.type.js";

/**
 * Resolves a federation reference `{ module, id }` to a BiginRecord, checking both as `Query.record`
 * checks its arguments (BAD_USER_INPUT). Makes no Bigin call: `attachments` on the entity goes
 * through the request's loaders like any other record. Async so that a bad reference fails only its
 * own `_entities` entry (a synchronous throw would fail the whole list).
 */
export async function resolveRecordReference(
  reference: Record<string, unknown>,
): Promise<BiginRecord> {
  const module = toBiginModule(reference.module);
  if (module === null) {
    throw badUserInput(
      `\`module\` of a BiginRecord reference must be a BiginModule (got ${describe(reference.module)})`,
      "module",
    );
  }
  if (typeof reference.id !== "string") {
    throw badUserInput(
      `\`id\` of a BiginRecord reference must be a Bigin id: a numeric string of 1 to 19 digits (got ${describe(reference.id)})`,
      "id",
    );
  }
  return { module, id: checkId(reference.id, "id") };
}

function describe(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).slice(0, 40);
}
