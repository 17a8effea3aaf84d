import { GraphQLError } from "graphql";
import { Args, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { PHOTO_MODULES, deletePhoto, uploadPhoto } from "../bigin/photos.js";
import type { SignedLink } from "../http/signed-urls.js";
import type { Context } from "./context.js";
import { BiginCall } from "./cost.directives.js";
import { DateTimeScalar, isoTime } from "./date-time.scalar.js";
import { ErrorCode, badUserInput, toGraphQLError } from "./errors.js";
import { RecordTargetArgs, UploadArgs } from "./file.args.js";
import { checkId } from "./record.resolver.js";
import { BiginRecord } from "./record.type.js";
import {
  MAX_PHOTO_BYTES,
  inspectUpload,
  photoContentType,
  receiveUpload,
  uploadedFileName,
} from "./upload-checks.js";

const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/bmp": "bmp",
};

/** The path of a record photo's download route (design.md §4). */
export function photoFilePath(module: string, recordId: string): string {
  return `/files/${encodeURIComponent(module)}/${encodeURIComponent(recordId)}/photo`;
}

function photoLink(record: BiginRecord, context: Context): SignedLink | null {
  if (!PHOTO_MODULES.includes(record.module) || record.photoDeleted) return null;
  return context.signedLink(photoFilePath(record.module, record.id));
}

function checkPhotoTarget(target: RecordTargetArgs): void {
  if (!PHOTO_MODULES.includes(target.module)) {
    throw badUserInput(
      `Records of ${target.module} have no photo (only ${PHOTO_MODULES.join(", ")} do)`,
      "module",
    );
  }
  checkId(target.recordId, "recordId");
}

@Resolver(() => BiginRecord)
export class PhotoResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      "Signed link to the record photo (Contacts, Accounts, Products only, else null), usable without any header until `photoUrlExpiresAt` (5 minutes); null when the request had no credential (the download could only fail) and in `deletePhoto`'s answer. Makes no Bigin call, so for a record without a photo it is a link that answers 404.",
  })
  photoUrl(@Root() record: BiginRecord, @Ctx() context: Context): string | null {
    return photoLink(record, context)?.url ?? null;
  }

  @FieldResolver(() => DateTimeScalar, {
    nullable: true,
    description: "When `photoUrl` stops working; null when it is null.",
  })
  photoUrlExpiresAt(@Root() record: BiginRecord, @Ctx() context: Context): string | null {
    const link = photoLink(record, context);
    return link ? isoTime(link.expiresAt) : null;
  }

  @BiginCall()
  @Mutation(() => BiginRecord, {
    description:
      "Sets the record's photo: PNG, JPEG, GIF or BMP (by content, not name), at most 10 MB. Contacts, Accounts and Products only. Never retried.",
  })
  async uploadPhoto(
    @Args() { file, ...target }: UploadArgs,
    @Ctx() context: Context,
  ): Promise<BiginRecord> {
    checkPhotoTarget(target);
    const credential = context.credential();
    const upload = await receiveUpload(file);
    const { size, head } = await inspectUpload(upload, MAX_PHOTO_BYTES, "Bigin's photo limit");
    const contentType = photoContentType(head);
    if (contentType === undefined) {
      throw badUserInput("A photo must be a PNG, JPEG, GIF or BMP image", "file");
    }
    const base = uploadedFileName(upload.filename)?.replace(/\.[^.]*$/, "") || "photo";
    try {
      await uploadPhoto(
        context.services.client,
        credential,
        target,
        {
          stream: upload.createReadStream(),
          fileName: `${base}.${EXTENSIONS[contentType] ?? "img"}`,
          contentType,
          size,
        },
        context.signal,
      );
    } catch (error) {
      throw toGraphQLError(error);
    }
    return { module: target.module, id: target.recordId };
  }

  @BiginCall()
  @Mutation(() => BiginRecord, {
    description:
      "Removes the record's photo; the record answered has `photoUrl: null`. Never retried.",
  })
  async deletePhoto(
    @Args() target: RecordTargetArgs,
    @Ctx() context: Context,
  ): Promise<BiginRecord> {
    checkPhotoTarget(target);
    const credential = context.credential();
    let deleted: boolean;
    try {
      deleted = await deletePhoto(context.services.client, credential, target, context.signal);
    } catch (error) {
      throw toGraphQLError(error);
    }
    if (!deleted) {
      throw new GraphQLError("The record has no photo", {
        extensions: { code: ErrorCode.NOT_FOUND, retryable: false },
      });
    }
    return { module: target.module, id: target.recordId, photoDeleted: true };
  }
}
