import { Args, Ctx, Mutation, Resolver } from "type-graphql";
import {
  attachLink,
  deleteAttachment,
  uploadAttachment,
  type BiginAttachment,
} from "../bigin/attachments.js";
import { Attachment, toAttachment } from "./attachment.type.js";
import {
  AttachLinkPayload,
  DeleteAttachmentPayload,
  UploadAttachmentPayload,
} from "./attachment-payload.type.js";
import type { Context } from "./context.js";
import { BiginCall } from "./cost.directives.js";
import { badUserInput, toGraphQLError } from "./errors.js";
import { AttachLinkArgs, DeleteAttachmentArgs, RecordTargetArgs, UploadArgs } from "./file.args.js";
import { checkId } from "./record.resolver.js";
import type { BiginRecord } from "./record.type.js";
import {
  EXECUTABLE_NAME,
  inspectUpload,
  receiveUpload,
  uploadedFileName,
} from "./upload-checks.js";

const MAX_LINK_LENGTH = 3000;
const MAX_TITLE_LENGTH = 250;

function checkUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (
    parsed === undefined ||
    (parsed.protocol !== "http:" && parsed.protocol !== "https:") ||
    url.length > MAX_LINK_LENGTH
  ) {
    throw badUserInput(
      `\`url\` must be an absolute http(s) URL of at most ${MAX_LINK_LENGTH} characters`,
      "url",
    );
  }
  return url;
}

/** Bigin's answer to a write (id, created and modified fields) plus what we sent. */
function written(
  details: BiginAttachment,
  target: RecordTargetArgs,
  sent: Record<string, unknown>,
): Attachment {
  return toAttachment(
    { ...sent, ...details, $se_module: target.module, Parent_Id: { id: target.recordId } },
    { module: target.module, id: target.recordId },
  );
}

const recordOf = (target: RecordTargetArgs): BiginRecord => ({
  module: target.module,
  id: target.recordId,
});

@Resolver(() => Attachment)
export class AttachmentResolver {
  @BiginCall()
  @Mutation(() => UploadAttachmentPayload, {
    description:
      "Uploads a file (GraphQL multipart request; send `apollo-require-preflight: true`) as an attachment of the record. Never retried.",
  })
  async uploadAttachment(
    @Args() { file, ...target }: UploadArgs,
    @Ctx() context: Context,
  ): Promise<UploadAttachmentPayload> {
    checkId(target.recordId, "recordId");
    const credential = context.credential();
    const { maxAttachmentBytes } = context.services.files;
    const upload = await receiveUpload(file);
    const fileName = uploadedFileName(upload.filename) ?? "file";
    if (EXECUTABLE_NAME.test(fileName)) {
      throw badUserInput("Bigin does not accept .exe files", "file");
    }
    const { size } = await inspectUpload(upload, maxAttachmentBytes, "Bigin's attachment limit");
    try {
      const details = await uploadAttachment(
        context.services.client,
        credential,
        target,
        {
          stream: upload.createReadStream(),
          fileName,
          contentType: upload.mimetype || "application/octet-stream",
          size,
        },
        context.signal,
      );
      await context.attachmentsChanged(target.module, target.recordId);
      return {
        attachment: written(details, target, {
          File_Name: fileName,
          Size: String(size),
          $type: "File",
        }),
        record: recordOf(target),
      };
    } catch (error) {
      throw toGraphQLError(error);
    }
  }

  @BiginCall()
  @Mutation(() => AttachLinkPayload, {
    description: "Attaches a link to the record. Never retried.",
  })
  async attachLink(
    @Args() args: AttachLinkArgs,
    @Ctx() context: Context,
  ): Promise<AttachLinkPayload> {
    checkId(args.recordId, "recordId");
    const url = checkUrl(args.url);
    const title = args.title?.trim() || undefined;
    if (title !== undefined && title.length > MAX_TITLE_LENGTH) {
      throw badUserInput(`\`title\` may be at most ${MAX_TITLE_LENGTH} characters`, "title");
    }
    const credential = context.credential();
    try {
      const details = await attachLink(
        context.services.client,
        credential,
        args,
        { url, title },
        context.signal,
      );
      await context.attachmentsChanged(args.module, args.recordId);
      return {
        attachment: written(details, args, {
          File_Name: title ?? null,
          Size: "0",
          $type: "Link URL",
          $link_url: url,
          $file_id: null,
        }),
        record: recordOf(args),
      };
    } catch (error) {
      throw toGraphQLError(error);
    }
  }

  @BiginCall()
  @Mutation(() => DeleteAttachmentPayload, {
    description: "Deletes an attachment. Never retried.",
  })
  async deleteAttachment(
    @Args() args: DeleteAttachmentArgs,
    @Ctx() context: Context,
  ): Promise<DeleteAttachmentPayload> {
    checkId(args.recordId, "recordId");
    checkId(args.id, "id");
    const credential = context.credential();
    try {
      const deleted = await deleteAttachment(
        context.services.client,
        credential,
        args,
        args.id,
        context.signal,
      );
      await context.attachmentsChanged(args.module, args.recordId);
      return { deletedId: deleted, record: recordOf(args) };
    } catch (error) {
      throw toGraphQLError(error);
    }
  }
}
