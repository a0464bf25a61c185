// Drives cfmock server with the AWS SDK for JavaScript v3 and prints what it saw as JSON.
// Usage: node lifecycle.mjs <endpoint-url>. tests/test_js_sdk.py runs it and checks the report.
import {
  CloudFrontClient,
  CreateConnectionFunctionCommand,
  DeleteConnectionFunctionCommand,
  DescribeConnectionFunctionCommand,
  GetConnectionFunctionCommand,
  ListConnectionFunctionsCommand,
  PreconditionFailed,
  PublishConnectionFunctionCommand,
  TestConnectionFunctionCommand,
  UpdateConnectionFunctionCommand,
} from "@aws-sdk/client-cloudfront";

const client = new CloudFrontClient({
  endpoint: process.argv[2],
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDJAVASCRIPT", secretAccessKey: "secret" },
  maxAttempts: 1,
});
const encode = (text) => new TextEncoder().encode(text);
const config = { Comment: "from the JavaScript SDK", Runtime: "cloudfront-js-2.0" };
const report = {};

const created = await client.send(
  new CreateConnectionFunctionCommand({
    Name: "js-managed",
    ConnectionFunctionConfig: config,
    ConnectionFunctionCode: encode("function connectionHandler(c) { c.allow(); }"),
  }),
);
const id = created.ConnectionFunctionSummary.Id;
report.created = {
  etag: created.ETag,
  location: created.Location,
  status: created.ConnectionFunctionSummary.Status,
  stage: created.ConnectionFunctionSummary.Stage,
  createdTimeIsDate: created.ConnectionFunctionSummary.CreatedTime instanceof Date,
};

const updated = await client.send(
  new UpdateConnectionFunctionCommand({
    Id: id,
    IfMatch: created.ETag,
    ConnectionFunctionConfig: config,
    ConnectionFunctionCode: encode("function connectionHandler(c) { c.logCustomData('js'); c.deny(); }"),
  }),
);
report.updatedEtag = updated.ETag;

try {
  await client.send(
    new UpdateConnectionFunctionCommand({
      Id: id,
      IfMatch: created.ETag,
      ConnectionFunctionConfig: config,
      ConnectionFunctionCode: encode("lost"),
    }),
  );
  report.stale = "no error";
} catch (error) {
  report.stale = {
    typed: error instanceof PreconditionFailed,
    name: error.name,
    status: error.$metadata.httpStatusCode,
    message: error.message,
  };
}

const described = await client.send(new DescribeConnectionFunctionCommand({ Identifier: "js-managed" }));
report.describedEtag = described.ETag;

const got = await client.send(new GetConnectionFunctionCommand({ Identifier: id }));
// The model marks this payload as a plain blob, so this SDK hands over bytes, not a stream.
const body = got.ConnectionFunctionCode;
report.codeIsBytes = body instanceof Uint8Array;
report.code = new TextDecoder().decode(body.transformToByteArray ? await body.transformToByteArray() : body);
report.contentType = got.ContentType;

const published = await client.send(new PublishConnectionFunctionCommand({ Id: id, IfMatch: updated.ETag }));
report.published = { stage: published.ConnectionFunctionSummary.Stage, status: published.ConnectionFunctionSummary.Status };

const tested = await client.send(
  new TestConnectionFunctionCommand({
    Id: id,
    IfMatch: updated.ETag,
    ConnectionObject: encode(JSON.stringify({ clientIp: "192.0.2.1" })),
  }),
);
const result = tested.ConnectionFunctionTestResult;
report.test = {
  output: result.ConnectionFunctionOutput,
  error: result.ConnectionFunctionErrorMessage,
  logs: result.ConnectionFunctionExecutionLogs,
  utilization: result.ComputeUtilization,
  summaryName: result.ConnectionFunctionSummary.Name,
};

const listed = await client.send(new ListConnectionFunctionsCommand({}));
report.listed = listed.ConnectionFunctions.map((summary) => summary.Name);

await client.send(new DeleteConnectionFunctionCommand({ Id: id, IfMatch: updated.ETag }));
try {
  await client.send(new DescribeConnectionFunctionCommand({ Identifier: id }));
  report.afterDelete = "still there";
} catch (error) {
  report.afterDelete = { name: error.name, status: error.$metadata.httpStatusCode };
}

console.log(JSON.stringify(report));
