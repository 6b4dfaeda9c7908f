/**
 * The metadata listeners follow instance state (shared/DESIGN.md: the EC2 service changes state and never calls
 * in here): a running instance with its metadata endpoint enabled gets a listener on 127.0.0.1; stopping,
 * terminating or disabling the endpoint closes it; starting again reopens it on the same port, which is kept
 * with the instance. Reconciled after every state change and on a short timer, because transitional states
 * settle on rolecall's clock rather than through a write.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { IamState } from '../state/iam-state.ts';
import type { Clock } from '../model/clock.ts';
import { stateAt, type InstanceRecord } from '../model/ec2.ts';
import type { InstanceCredentials } from './credentials.ts';
import { InstanceMetadata } from './metadata.ts';

interface Listener {
  readonly account: string;
  server?: Server;
  port?: number;
  closing?: boolean;
}

const RECONCILE_MS = 200;

export class MetadataListeners {
  private readonly listeners = new Map<string, Listener>();
  /** Instances whose workloads asked for credentials without a profile, and when they last did (for the doctor). */
  private readonly askedWithoutProfile = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly state: IamState,
    private readonly credentials: InstanceCredentials,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  private scheduled = false;

  start(): void {
    // Writes come in bursts (a launch of many instances, then one port write per listener): reconcile once after.
    this.state.onChange(() => {
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.reconcile();
      });
    });
    this.timer = setInterval(() => this.reconcile(), RECONCILE_MS);
    this.timer.unref();
    this.reconcile();
  }

  /** `http://127.0.0.1:<port>` of a running instance's metadata service. */
  endpoint(instanceId: string): string | undefined {
    const l = this.listeners.get(instanceId);
    return l?.port === undefined || l.closing ? undefined : `http://127.0.0.1:${l.port}`;
  }

  /** When a workload on the instance last asked for credentials while it had no profile, if it ever did. */
  askedForCredentialsWithoutProfile(instanceId: string): string | undefined {
    return this.askedWithoutProfile.get(instanceId);
  }

  private wanted(): Map<string, { account: string; instance: InstanceRecord }> {
    const now = this.clock.now();
    const out = new Map<string, { account: string; instance: InstanceRecord }>();
    for (const account of this.state.accounts('ec2.instance')) {
      for (const instance of this.state.list('ec2.instance', account)) {
        if (stateAt(instance, now) === 'running' && instance.metadataOptions.httpEndpoint === 'enabled') {
          out.set(instance.instanceId, { account, instance });
        }
      }
    }
    return out;
  }

  reconcile(): void {
    if (this.closed) return;
    const wanted = this.wanted();
    for (const [id, { account, instance }] of wanted) if (!this.listeners.has(id)) this.open(id, account, instance);
    for (const [id, listener] of this.listeners) if (!wanted.has(id) && !listener.closing) this.shut(id, listener);
  }

  private open(instanceId: string, account: string, instance: InstanceRecord): void {
    const listener: Listener = { account };
    this.listeners.set(instanceId, listener);
    const metadata = new InstanceMetadata({
      account,
      instance: () => this.state.get('ec2.instance', account, instanceId),
      credentials: this.credentials,
      now: () => this.clock.now(),
      noProfile: (i) => {
        this.askedWithoutProfile.set(i.instanceId, this.clock.now().toISOString());
        this.log.warn(
          { instanceId: i.instanceId },
          `instance ${i.instanceId} has no IAM instance profile, and a workload on it asked for credentials; attach one with: aws ec2 associate-iam-instance-profile --instance-id ${i.instanceId} --iam-instance-profile Name=PROFILE`,
        );
      },
    });
    const server = createServer((req, res) => {
      const response = metadata.handle({
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0] ?? '/',
        headers: req.headers,
      });
      req.resume();
      res.writeHead(response.status, {
        ...response.headers,
        'content-length': String(Buffer.byteLength(response.body)),
      });
      res.end(req.method === 'HEAD' ? undefined : response.body);
    });
    listener.server = server;
    const listen = (port: number) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        // The kept port was taken meanwhile: take another and remember it.
        if (err.code === 'EADDRINUSE' && port !== 0) listen(0);
        else this.log.error({ err, instanceId }, 'metadata listener failed');
      });
      server.listen(port, '127.0.0.1', () => {
        listener.port = (server.address() as AddressInfo).port;
        if (instance.metadataPort !== listener.port) void this.rememberPort(account, instanceId, listener.port);
      });
    };
    listen(instance.metadataPort ?? 0);
  }

  private async rememberPort(account: string, instanceId: string, port: number): Promise<void> {
    await this.state
      .write(async (w) => {
        const current = this.state.get('ec2.instance', account, instanceId);
        if (current && current.metadataPort !== port)
          await w.update('ec2.instance', account, instanceId, { ...current, metadataPort: port });
      })
      .catch((err: unknown) => this.log.warn({ err, instanceId }, 'could not keep the metadata port'));
  }

  private shut(instanceId: string, listener: Listener): void {
    listener.closing = true;
    const done = (): void => {
      this.listeners.delete(instanceId);
    };
    if (!listener.server) return done();
    listener.server.close(done);
    listener.server.closeAllConnections();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all(
      [...this.listeners.values()].map(
        (l) =>
          new Promise<void>((resolve) => {
            if (!l.server) return resolve();
            l.server.close(() => resolve());
            l.server.closeAllConnections();
          }),
      ),
    );
    this.listeners.clear();
  }
}
