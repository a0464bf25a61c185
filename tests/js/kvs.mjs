// Drives the KeyValueStore data plane of cfmock server with the AWS SDK for JavaScript v3 and
// prints what it saw as JSON. Usage: node kvs.mjs <endpoint-url>. tests/test_js_sdk_kvs.py runs
// it and checks the report; docs/server.md shows the same configuration.
//
// The SDK's endpoint rules turn the endpoint http://kvs.cfmock:PORT into
// http://<account>.kvs.cfmock:PORT: an http.Agent whose lookup answers 127.0.0.1 for every
// *.cfmock name reaches the server without a hosts file. @aws-sdk/signature-v4a signs SigV4A,
// which the server accepts without checking.
import "@aws-sdk/signature-v4a";
import dns from "node:dns";
import http from "node:http";
import { CloudFrontClient, CreateKeyValueStoreCommand } from "@aws-sdk/client-cloudfront";
import {
  CloudFrontKeyValueStoreClient,
  DescribeKeyValueStoreCommand,
  GetKeyCommand,
  ListKeysCommand,
  PutKeyCommand,
  ResourceNotFoundException,
  ValidationException,
} from "@aws-sdk/client-cloudfront-keyvaluestore";

const server = new URL(process.argv[2]);
const lookup = (hostname, options, callback) => {
  if (!hostname.endsWith(".cfmock")) return dns.lookup(hostname, options, callback);
  const address = server.hostname;
  return options.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4);
};
// The request handler's options, as docs/server.md gives them (no import of the handler).
const requestHandler = { httpAgent: new http.Agent({ lookup }) };
const common = { region: "us-east-1", maxAttempts: 1, requestHandler };
const credentials = (accessKeyId) => ({ accessKeyId, secretAccessKey: "secret" });

const cloudfront = new CloudFrontClient({
  ...common,
  endpoint: server.origin,
  credentials: credentials("AKIDJAVASCRIPT"),
});
const endpoint = `http://kvs.cfmock:${server.port}`;
// A 12-digit access key names the account the server acts in: it shows the request was signed.
const kvs = new CloudFrontKeyValueStoreClient({ ...common, endpoint, credentials: credentials("111122223333") });
const report = {};

const created = await cloudfront.send(new CreateKeyValueStoreCommand({ Name: "js-allowlist" }));
const arn = created.KeyValueStore.ARN;
report.arn = arn;

const described = await kvs.send(new DescribeKeyValueStoreCommand({ KvsARN: arn }));
report.described = { etag: described.ETag, itemCount: described.ItemCount, status: described.Status };

const put = await kvs.send(new PutKeyCommand({ KvsARN: arn, Key: "10:01", Value: "revoked", IfMatch: described.ETag }));
report.put = { etag: put.ETag, itemCount: put.ItemCount, totalSizeInBytes: put.TotalSizeInBytes };

const got = await kvs.send(new GetKeyCommand({ KvsARN: arn, Key: "10:01" }));
report.got = { key: got.Key, value: got.Value };

try {
  await kvs.send(new PutKeyCommand({ KvsARN: arn, Key: "k", Value: "v", IfMatch: described.ETag }));
  report.stale = "no error";
} catch (error) {
  report.stale = { typed: error instanceof ValidationException, name: error.name, status: error.$metadata.httpStatusCode };
}

try {
  await kvs.send(new GetKeyCommand({ KvsARN: arn, Key: "absent" }));
  report.absent = "no error";
} catch (error) {
  report.absent = { typed: error instanceof ResourceNotFoundException, name: error.name, status: error.$metadata.httpStatusCode };
}

// Without @aws-sdk/signature-v4a, a signer that leaves the request as it is sends it unsigned
// (so the server acts in its --account, whatever the access key).
const unsigned = new CloudFrontKeyValueStoreClient({
  ...common,
  endpoint,
  credentials: credentials("111122223333"),
  signer: { sign: async (request) => request },
});
const listed = await unsigned.send(new ListKeysCommand({ KvsARN: arn }));
report.listed = listed.Items.map((item) => [item.Key, item.Value]);

console.log(JSON.stringify(report));
