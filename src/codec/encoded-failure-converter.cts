// Plain CommonJS on purpose: the Temporal SDK require()s this file by path (DataConverter.failureConverterPath),
// in the worker, in the client, and (when the worker bundles its workflows itself) inside the workflow bundle.
// See src/codec/data-converter.ts.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose, see above
const { DefaultFailureConverter } = require('@temporalio/common');

/** Failure messages and stack traces travel as an encoded payload, so the payload codec encrypts them too. */
exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
