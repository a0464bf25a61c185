// Drives cfmock server's trust stores and distributions with the AWS SDK for JavaScript v3 and
// prints what it saw as JSON. Usage: node mtls.mjs <endpoint-url>, after the CA bundle
// s3://pki/root.pem has been seeded (tests/test_js_sdk_mtls.py does both and checks the report).
import {
  CannotDeleteEntityWhileInUse,
  CloudFrontClient,
  CreateConnectionFunctionCommand,
  CreateDistributionCommand,
  CreateTrustStoreCommand,
  DescribeConnectionFunctionCommand,
  DeleteTrustStoreCommand,
  GetDistributionConfigCommand,
  GetTrustStoreCommand,
  ListDistributionsByConnectionFunctionCommand,
  ListDistributionsByTrustStoreCommand,
  ListTrustStoresCommand,
  PublishConnectionFunctionCommand,
  UpdateTrustStoreCommand,
} from "@aws-sdk/client-cloudfront";

const client = new CloudFrontClient({
  endpoint: process.argv[2],
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDJAVASCRIPT", secretAccessKey: "secret" },
  maxAttempts: 1,
});
const report = {};

const bundle = { CaCertificatesBundleS3Location: { Bucket: "pki", Key: "root.pem", Region: "us-east-1" } };
const created = await client.send(new CreateTrustStoreCommand({ Name: "js-devices", CaCertificatesBundleSource: bundle }));
const storeId = created.TrustStore.Id;
report.createdStore = { etag: created.ETag, status: created.TrustStore.Status, arn: created.TrustStore.Arn };
const got = await client.send(new GetTrustStoreCommand({ Identifier: storeId }));
report.gotStore = {
  etag: got.ETag,
  status: got.TrustStore.Status,
  count: got.TrustStore.NumberOfCaCertificates,
  modifiedIsDate: got.TrustStore.LastModifiedTime instanceof Date,
};
const updated = await client.send(
  new UpdateTrustStoreCommand({ Id: storeId, IfMatch: got.ETag, UseClientCertificateOCSPEndpoint: true }),
);
report.updatedStore = { etag: updated.ETag, ocsp: updated.TrustStore.UseClientCertificateOCSPEndpoint };
const listed = await client.send(new ListTrustStoresCommand({}));
report.listedStores = listed.TrustStoreList.map((s) => [s.Name, s.ETag]);

const fn = await client.send(
  new CreateConnectionFunctionCommand({
    Name: "js-gate",
    ConnectionFunctionConfig: { Comment: "", Runtime: "cloudfront-js-2.0" },
    ConnectionFunctionCode: new TextEncoder().encode("function connectionHandler(c) { c.allow(); }"),
  }),
);
const functionId = fn.ConnectionFunctionSummary.Id;
await client.send(new PublishConnectionFunctionCommand({ Id: functionId, IfMatch: fn.ETag }));

const distribution = await client.send(
  new CreateDistributionCommand({
    DistributionConfig: {
      CallerReference: "js-mtls",
      Comment: "",
      Enabled: true,
      Origins: {
        Quantity: 1,
        Items: [
          {
            Id: "o",
            DomainName: "api.example.com",
            CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: "https-only" },
          },
        ],
      },
      DefaultCacheBehavior: {
        TargetOriginId: "o",
        ViewerProtocolPolicy: "https-only",
        CachePolicyId: "658327ea-f89d-4fab-a63d-7e88639e58f6",
      },
      ViewerMtlsConfig: { Mode: "required", TrustStoreConfig: { TrustStoreId: storeId } },
      ConnectionFunctionAssociation: { Id: functionId },
    },
  }),
);
const distributionId = distribution.Distribution.Id;
report.distribution = {
  etag: distribution.ETag,
  status: distribution.Distribution.Status,
  mode: distribution.Distribution.DistributionConfig.ViewerMtlsConfig.Mode,
  associated: distribution.Distribution.DistributionConfig.ConnectionFunctionAssociation.Id === functionId,
};
const config = await client.send(new GetDistributionConfigCommand({ Id: distributionId }));
report.configTrustStore = config.DistributionConfig.ViewerMtlsConfig.TrustStoreConfig.TrustStoreId === storeId;
const described = await client.send(new DescribeConnectionFunctionCommand({ Identifier: functionId }));
report.functionStatus = described.ConnectionFunctionSummary.Status;
const byFunction = await client.send(
  new ListDistributionsByConnectionFunctionCommand({ ConnectionFunctionIdentifier: functionId }),
);
const byStore = await client.send(new ListDistributionsByTrustStoreCommand({ TrustStoreIdentifier: storeId }));
report.byFunction = byFunction.DistributionList.Items.map((d) => d.Id === distributionId);
report.byStore = byStore.DistributionList.Items.map((d) => d.Id === distributionId);
try {
  await client.send(new DeleteTrustStoreCommand({ Id: storeId, IfMatch: updated.ETag }));
  report.inUse = "deleted";
} catch (error) {
  report.inUse = {
    typed: error instanceof CannotDeleteEntityWhileInUse,
    name: error.name,
    status: error.$metadata.httpStatusCode,
  };
}
console.log(JSON.stringify(report));
