/**
 * The OSS error model (errors.ts): codes, statuses and EC codes, and the `<Error>` body.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  newOssRequestId,
  OssCodedError,
  ossErrorFor,
  renderOssError,
} from "../../../../src/api/dialects/oss/errors.js";
import { DomainError } from "../../../../src/domain/errors.js";

describe("OSS errors", () => {
  it("renders Code, Message, RequestId, HostId and EC", () => {
    const info = ossErrorFor(new OssCodedError("InvalidArgument", "bad id", "0017-00001002"));
    assert.deepEqual(info, { status: 400, code: "InvalidArgument", message: "bad id", ec: "0017-00001002" });
    const text = renderOssError(info, "534B371674E88A4D89060000", "oss-cn-hangzhou.aliyuncs.com");
    assert.equal(
      text,
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidArgument</Code><Message>bad id</Message><RequestId>534B371674E88A4D89060000</RequestId><HostId>oss-cn-hangzhou.aliyuncs.com</HostId><EC>0017-00001002</EC></Error>',
    );
  });

  it("maps every kind to OSS's code and status, with documented EC defaults", () => {
    assert.deepEqual(ossErrorFor(new DomainError("SignatureDoesNotMatch", "m")), {
      status: 403,
      code: "SignatureDoesNotMatch",
      message: "m",
      ec: "0002-00000040",
    });
    assert.equal(ossErrorFor(new DomainError("RequestTimeTooSkewed", "m")).ec, "0002-00000504");
    assert.equal(ossErrorFor(new DomainError("NoSuchJob", "m")).status, 404);
    assert.equal(ossErrorFor(new DomainError("MalformedXML", "m")).ec, undefined);
    assert.deepEqual(ossErrorFor(new DomainError("ExpiredToken", "x")), {
      status: 403,
      code: "AccessDenied",
      message: "Request has expired.",
    });
    assert.equal(ossErrorFor(new DomainError("MethodNotAllowed", "m")).status, 405);
    assert.match(newOssRequestId(), /^[0-9A-F]{24}$/);
  });
});
