/**
 * S3's errors, with the codes, statuses and messages of the Amazon S3 API Reference ("Error responses",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html) and the extra elements S3 adds.
 */
import { AwsError } from '../../protocol/errors.ts';
import { invalidCopySource } from '../../protocol/s3/codec.ts';

const err = (code: string, status: number, message: string, details: Record<string, string> = {}) =>
  new AwsError(code, status, message, status >= 500 ? 'Receiver' : 'Sender', details);

export const s3Errors = {
  noSuchBucket: (bucket: string) =>
    err('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket }),
  noSuchKey: (key: string) => err('NoSuchKey', 404, 'The specified key does not exist.', { Key: key }),
  bucketAlreadyExists: (bucket: string) =>
    err(
      'BucketAlreadyExists',
      409,
      'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
      { BucketName: bucket },
    ),
  bucketAlreadyOwnedByYou: (bucket: string) =>
    err(
      'BucketAlreadyOwnedByYou',
      409,
      'Your previous request to create the named bucket succeeded and you already own it.',
      { BucketName: bucket },
    ),
  bucketNotEmpty: (bucket: string) =>
    err('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty', { BucketName: bucket }),
  invalidBucketName: (bucket: string) =>
    err('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: bucket }),
  keyTooLong: () => err('KeyTooLongError', 400, 'Your key is too long'),
  noSuchUpload: (uploadId: string) =>
    err(
      'NoSuchUpload',
      404,
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      { UploadId: uploadId },
    ),
  invalidPart: (uploadId: string, part: number, etag: string) =>
    err(
      'InvalidPart',
      400,
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      { UploadId: uploadId, PartNumber: String(part), ETag: etag },
    ),
  invalidPartOrder: (uploadId: string) =>
    err(
      'InvalidPartOrder',
      400,
      'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
      { UploadId: uploadId },
    ),
  entityTooSmall: (size: number, part: number, etag: string) =>
    err('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed size', {
      ProposedSize: String(size),
      MinSizeAllowed: String(5 * 1024 * 1024),
      PartNumber: String(part),
      ETag: etag.replace(/"/g, ''),
    }),
  entityTooLarge: (size: number, max: number) =>
    err('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size', {
      ProposedSize: String(size),
      MaxSizeAllowed: String(max),
    }),
  invalidRange: (range: string, size: number) =>
    err('InvalidRange', 416, 'The requested range is not satisfiable', {
      RangeRequested: range,
      ActualObjectSize: String(size),
    }),
  preconditionFailed: (condition: string) =>
    err('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', {
      Condition: condition,
    }),
  notModified: (object: { etag: string; lastModified: string }) =>
    new AwsError(
      'NotModified',
      304,
      'Not Modified',
      'Sender',
      {},
      {
        etag: object.etag,
        'last-modified': new Date(object.lastModified).toUTCString(),
      },
    ),
  malformedXml: () =>
    err(
      'MalformedXML',
      400,
      'The XML you provided was not well-formed or did not validate against our published schema',
    ),
  badDigest: () => err('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.'),
  invalidDigest: () => err('InvalidDigest', 400, 'The Content-MD5 you specified was invalid.'),
  noSuchBucketPolicy: (bucket: string) =>
    err('NoSuchBucketPolicy', 404, 'The bucket policy does not exist', { BucketName: bucket }),
  noSuchPublicAccessBlock: (bucket: string) =>
    err('NoSuchPublicAccessBlockConfiguration', 404, 'The public access block configuration was not found', {
      BucketName: bucket,
    }),
  noSuchTagSet: (bucket: string) => err('NoSuchTagSet', 404, 'The TagSet does not exist', { BucketName: bucket }),
  invalidTag: (message: string) => err('InvalidTag', 400, message),
  malformedPolicy: (message: string) => err('MalformedPolicy', 400, message),
  invalidArgument: (message: string, name?: string, value?: string) =>
    err('InvalidArgument', 400, message, {
      ...(name !== undefined && { ArgumentName: name }),
      ...(value !== undefined && { ArgumentValue: value }),
    }),
  invalidCopySource,
  invalidRequest: (message: string) => err('InvalidRequest', 400, message),
  illegalLocation: (region: string | undefined) =>
    err(
      'IllegalLocationConstraintException',
      400,
      `The ${region === undefined ? 'unspecified' : region} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    ),
  invalidLocation: (region: string) =>
    err('InvalidLocationConstraint', 400, 'The specified location-constraint is not valid', {
      LocationConstraint: region,
    }),
  accessDenied: (message = 'Access Denied') => err('AccessDenied', 403, message),
};
