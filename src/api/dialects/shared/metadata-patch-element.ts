/**
 * The content headers of an UpdateObjectMetadata operation (Google's putMetadata) as the XML dialects show them:
 * the same five elements, in the same (alphabetical) order, in COS, OSS and S3 Control. The custom time, user
 * metadata and retention that follow them are written in each dialect's own style.
 */
import type { UpdateObjectMetadataOperation } from "../../../domain/job.js";
import { optLeaf, type XmlChild } from "../../xml/build.js";

export function contentHeaderElements(op: UpdateObjectMetadataOperation): XmlChild[] {
  return [
    optLeaf("CacheControl", op.cacheControl),
    optLeaf("ContentDisposition", op.contentDisposition),
    optLeaf("ContentEncoding", op.contentEncoding),
    optLeaf("ContentLanguage", op.contentLanguage),
    optLeaf("ContentType", op.contentType),
  ];
}
