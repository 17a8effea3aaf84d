import { Directive, Field, ID, ObjectType } from "type-graphql";
import { BiginModule } from "./enums.js";

// A federation entity: other subgraphs return { module, id } and we resolve `attachments`.
// Bigin-prefixed, like every type this subgraph owns, so it composes next to anyone's `Record`.
@Directive('@key(fields: "module id")')
@ObjectType("BiginRecord", {
  simpleResolvers: true,
  description: "A Bigin record, addressed by module and id.",
})
export class BiginRecord {
  @Field(() => BiginModule)
  module!: BiginModule;

  @Field(() => ID, { description: "Bigin's record id: a numeric string of up to 19 digits." })
  id!: string;

  /** Set by deletePhoto: the record is known to have no photo, so `photoUrl` is null. */
  photoDeleted?: boolean;
}
