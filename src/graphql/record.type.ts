import { Directive, Field, ID, ObjectType } from "type-graphql";
import { BiginModule } from "./enums.js";

// Named BiginRecord in TypeScript so it does not shadow the built-in Record<K, V>.
// A federation entity: other subgraphs return { module, id } and we resolve `attachments`.
@Directive('@key(fields: "module id")')
@ObjectType("Record", {
  simpleResolvers: true,
  description: "A Bigin record, addressed by module and id.",
})
export class BiginRecord {
  @Field(() => BiginModule)
  module!: BiginModule;

  @Field(() => ID, { description: "Bigin's record id: a numeric string of up to 19 digits." })
  id!: string;
}
