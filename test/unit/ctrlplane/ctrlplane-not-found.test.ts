import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CtrlplaneClient, CtrlplaneRequestError } from '../../../src/ctrlplane/ctrlplane-client.ts';

const WS = '0d6f1f0e-5c2b-4b8e-9a51-2f3c4d5e6f70';
const JOB = '5c3b8a4e-1f2d-4e6a-9b7c-0d1e2f3a4b5c';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A Ctrlplane address that answers every request with this 404 body (JSON). */
async function answering404(body: unknown): Promise<CtrlplaneClient> {
  server = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return new CtrlplaneClient({ apiUrl: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/api`, apiKey: 'cp_unit.key' });
}

describe("a 404 is Ctrlplane's word only when Ctrlplane says the thing does not exist", () => {
  it.each([
    [{ message: 'Job not found' }, 'the real server'],
    [{ error: 'Job not found' }, 'the {error} shape its OpenAPI document declares'],
  ])('takes %j (%s) as "no such job"', async (body, _source) => {
    expect(await (await answering404(body)).getJob(WS, JOB)).toBeUndefined();
  });

  it.each([
    [{ message: 'Not Found' }, "a gateway's JSON 404"],
    [{ message: 'no Route matched with those values' }, "an ingress's"],
    [{ message: 'not found', code: 'Not Found' }, "Ctrlplane's own answer for a route it does not have"],
  ])('retries %j (%s) instead of dropping the job', async (body, _source) => {
    const error = await (await answering404(body)).getJob(WS, JOB).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CtrlplaneRequestError);
    expect((error as CtrlplaneRequestError).notFound).toBe(false);
  });
});
