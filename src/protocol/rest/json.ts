/**
 * rest-json (Lambda, Access Analyzer): the REST binding with JSON bodies. Errors carry their code in the
 * `x-amzn-ErrorType` header and `{"message": …}` in the body (botocore parsers.py, RestJSONParser, reads the
 * header first, then the body's `__type`/`code`).
 */
import { AwsError } from '../errors.ts';
import type { Codec } from '../codec.ts';
import { jsonAuthenticationError } from '../json/codec.ts';
import { JsonReader, writeJson } from '../json/values.ts';
import { validationMessage } from '../query/validate.ts';
import { createRestCodec, type BodyFormat } from './codec.ts';

const serialization = (message: string) => new AwsError('SerializationException', 400, message);

export const jsonBodies: BodyFormat = {
  read(model, shapeName, body) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw serialization('The request body is not valid JSON');
    }
    const reader = new JsonReader(model);
    const value = reader.read(shapeName, parsed, '');
    if (reader.problems.length > 0) throw serialization(reader.problems.map((p) => p.message).join('; '));
    return (value ?? {}) as Record<string, unknown>;
  },
  write: (model, shapeName, value) => JSON.stringify(writeJson(model, shapeName, value) ?? {}),
  contentType: 'application/json',
};

export interface RestJsonOptions {
  /** The code of constraint violations (Lambda: InvalidParameterValueException; most: ValidationException). */
  readonly validationCode?: string;
  /** Extra body fields of every error (Lambda adds `"Type": "User"`). */
  readonly errorFields?: (error: AwsError) => Record<string, string>;
  /** The body's name for the message: `message` (most), `Message` (Lambda: `{"Type":"User","Message":…}`). */
  readonly messageField?: 'message' | 'Message';
}

export function createRestJsonCodec(extra: RestJsonOptions = {}): Codec {
  return createRestCodec({
    bodies: jsonBodies,
    segments: (req) => (req.path.startsWith('/') ? req.path.slice(1) : req.path).split('/').filter((s) => s !== ''),
    noOperation: (req) =>
      new AwsError('UnknownOperationException', 404, `No operation matches ${req.method} ${req.path}`),
    rootElement: () => '',
    xmlNamespace: '',
    responseHeaders: (requestId) => ({ 'x-amzn-requestid': requestId }),
    encodeError: (error, requestId) => ({
      status: error.status,
      headers: {
        ...error.headers,
        'content-type': 'application/json',
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': error.code,
      },
      body: JSON.stringify({ ...extra.errorFields?.(error), [extra.messageField ?? 'message']: error.message }),
    }),
    // REST services answer authentication failures with 403 (the JSON codes, HTTP status of API Gateway-fronted
    // services: aws-sdk-js issue threads quote Lambda's 403 UnrecognizedClientException).
    authenticationError: (failure) => {
      const e = jsonAuthenticationError(failure);
      return new AwsError(e.code, 403, e.message);
    },
    validationError: (problems) =>
      new AwsError(extra.validationCode ?? 'ValidationException', 400, validationMessage(problems)),
  });
}
