// node-redis (@redis/client, npm) against the server on REDIS_PORT, over RESP2 and RESP3:
// commands and reply conversions, implicit pipelining and execAsPipeline, MULTI/EXEC with
// WATCH (WatchError), pub/sub on a duplicated connection, ErrorReply for error replies,
// reconnect. Run with `node --test`.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { createClient, ErrorReply, MultiErrorReply, WatchError } = require('@redis/client');

const port = Number(process.env.REDIS_PORT);
const clients = [];

async function client(extra = {}) {
  const c = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: 50 }, ...extra });
  c.on('error', () => {}); // reconnects are tested; do not crash on the socket error event
  clients.push(c);
  await c.connect();
  return c;
}

test.after(async () => {
  for (const c of clients) {
    if (c.isOpen) {
      c.destroy();
    }
  }
});

for (const RESP of [2, 3]) {
  test(`RESP${RESP}: commands and reply conversions`, async () => {
    const r = await client({ RESP });
    await r.flushAll();
    assert.equal(await r.set('k', 'v', { EX: 100 }), 'OK');
    assert.equal(await r.get('k'), 'v');
    assert.equal(await r.get('missing'), null);
    assert.ok((await r.ttl('k')) > 98);
    assert.equal(await r.incrBy('n', 5), 5);
    assert.equal(await r.hSet('h', { a: '1', b: 'x' }), 2);
    assert.deepEqual({ ...(await r.hGetAll('h')) }, { a: '1', b: 'x' });
    assert.equal(await r.rPush('l', ['a', 'b', 'c']), 3);
    assert.deepEqual(await r.lRange('l', 0, -1), ['a', 'b', 'c']);
    assert.equal(await r.zAdd('z', [{ score: 1.5, value: 'a' }, { score: -3, value: 'b' }]), 2);
    assert.deepEqual(await r.zRangeWithScores('z', 0, -1),
      [{ value: 'b', score: -3 }, { value: 'a', score: 1.5 }]);
    assert.equal(await r.zScore('z', 'a'), 1.5);
    assert.deepEqual(await r.mGet(['k', 'missing']), ['v', null]);
    assert.equal(await r.sAdd('s', ['x', 'y']), 2);
    assert.deepEqual((await r.sMembers('s')).sort(), ['x', 'y']);
    assert.equal(await r.sIsMember('s', 'x'), 1);
    assert.deepEqual(await r.sendCommand(['LPOS', 'l', 'c']), 2);
    assert.equal(await r.exists(['k', 'h', 'nope']), 2);
    const info = await r.info('server');
    assert.match(String(info), /redis_version:7\./);
    const keys = [];
    for await (const batch of r.scanIterator({ MATCH: '[hkls]', COUNT: 2 })) {
      keys.push(...batch);
    }
    assert.deepEqual(keys.sort(), ['h', 'k', 'l', 's']);
  });

  test(`RESP${RESP}: pipelines and transactions`, async () => {
    const r = await client({ RESP });
    const other = await client({ RESP });
    await r.del(['p', 't', 'w']);
    // Commands issued in the same tick go out as one pipeline.
    const replies = await Promise.all(Array.from({ length: 1000 }, () => r.incr('p')));
    assert.equal(Math.max(...replies), 1000);
    assert.deepEqual(await r.multi().set('t', '1').incr('t').get('t').execAsPipeline(),
      ['OK', 2, '2']);
    assert.deepEqual(await r.multi().incr('t').incr('t').exec(), [3, 4]);
    await r.watch('w');
    await other.set('w', 'changed');
    await assert.rejects(r.multi().set('w', 'mine').exec(), (e) => e instanceof WatchError);
    assert.equal(await r.get('w'), 'changed');
  });

  test(`RESP${RESP}: error replies map to ErrorReply`, async () => {
    const r = await client({ RESP });
    await r.set('str', 'v');
    await assert.rejects(r.lPush('str', 'x'), (e) => e instanceof ErrorReply &&
      e.message === 'WRONGTYPE Operation against a key holding the wrong kind of value');
    await assert.rejects(r.sendCommand(['NOSUCHCMD', 'a']),
      (e) => e instanceof ErrorReply && /^ERR unknown command 'NOSUCHCMD'/.test(e.message));
    await assert.rejects(r.sendCommand(['GET']), (e) => e instanceof ErrorReply &&
      e.message === "ERR wrong number of arguments for 'get' command");
    // In a pipeline the error rejects the batch, but the other commands still ran.
    await r.del('a');
    await assert.rejects(r.multi().set('a', '1').lPush('a', 'x').incr('n').execAsPipeline(),
      (e) => e instanceof ErrorReply && /^WRONGTYPE/.test(e.message));
    assert.equal(await r.get('a'), '1');
    // In MULTI/EXEC a runtime error comes back in its slot: MultiErrorReply lists them.
    await assert.rejects(r.multi().set('a', '2').lPush('a', 'x').get('a').exec(),
      (e) => e instanceof MultiErrorReply && e.errorIndexes.length === 1 &&
        e.errorIndexes[0] === 1 && e.replies[0] === 'OK' && e.replies[2] === '2' &&
        e.replies[1] instanceof ErrorReply);
    assert.equal(await r.get('str'), 'v');
  });

  test(`RESP${RESP}: pub/sub`, async () => {
    const r = await client({ RESP });
    const sub = r.duplicate();
    sub.on('error', () => {});
    clients.push(sub);
    await sub.connect();
    const got = [];
    let done;
    const all = new Promise((resolve) => { done = resolve; });
    const push = (kind) => (message, channel) => {
      got.push([kind, channel, message]);
      if (got.length === 3) {
        done();
      }
    };
    await sub.subscribe('news', push('message'));
    await sub.pSubscribe('user:*', push('pmessage'));
    assert.equal(await r.publish('news', 'hello'), 1);
    assert.equal(await r.publish('user:7', 'hi'), 1);
    assert.equal(await r.publish('news', 'again'), 1);
    await all;
    assert.deepEqual(got, [['message', 'news', 'hello'], ['pmessage', 'user:7', 'hi'],
      ['message', 'news', 'again']]);
    assert.deepEqual(await r.pubSubNumSub('news'), { news: 1 });
    await sub.unsubscribe('news');
    await sub.pUnsubscribe('user:*');
    assert.equal(await r.publish('news', 'gone'), 0);
    if (RESP === 3) {
      // RESP3 pushes share the connection: ordinary commands work while subscribed.
      await sub.subscribe('again', () => {});
      assert.equal(await sub.ping(), 'PONG');
      assert.equal(await sub.get('missing'), null);
    }
    sub.destroy();
  });
}

test('RESP3: maps, doubles and nulls arrive typed', async () => {
  const r = await client({ RESP: 3 });
  await r.del(['h3', 'z3']);
  await r.hSet('h3', 'f', 'v');
  const hello = await r.hello();
  assert.equal(hello.proto, 3);
  assert.equal(hello.server, 'redis');
  assert.deepEqual({ ...(await r.hGetAll('h3')) }, { f: 'v' });
  await r.zAdd('z3', { score: 0.5, value: 'm' });
  assert.equal(await r.zScore('z3', 'm'), 0.5);
  assert.equal(await r.zScore('z3', 'nobody'), null);
  const cfg = await r.configGet('maxmemory-policy');
  assert.equal(cfg['maxmemory-policy'], 'noeviction');
});

test('reconnects after the server drops the connection', async () => {
  const r = await client();
  const admin = await client();
  await r.set('persist', 'yes');
  const id = await r.clientId();
  const reconnecting = new Promise((resolve) => r.once('reconnecting', resolve));
  assert.equal(await admin.clientKill({ filter: 'ID', id }), 1);
  await reconnecting;
  assert.equal(await r.get('persist'), 'yes');
  assert.notEqual(await r.clientId(), id);
});
