// ioredis (npm) against the server on REDIS_PORT: commands and reply conversions,
// pipelines, MULTI/EXEC with WATCH, auto-pipelining, pub/sub, ReplyError for error replies,
// reconnect after the server drops the connection. Run with `node --test`.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Redis, ReplyError } = require('ioredis');

const port = Number(process.env.REDIS_PORT);
const opts = { host: '127.0.0.1', port, lazyConnect: false, maxRetriesPerRequest: 2 };
const clients = [];

function client(extra = {}) {
  const c = new Redis({ ...opts, ...extra });
  clients.push(c);
  return c;
}

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
}

test.after(async () => {
  for (const c of clients) {
    c.disconnect();
  }
});

test('commands and reply conversions', async () => {
  const r = client();
  await r.flushall();
  assert.equal(await r.set('k', 'v', 'EX', 100), 'OK');
  assert.equal(await r.get('k'), 'v');
  assert.equal(await r.get('missing'), null);
  assert.ok((await r.ttl('k')) > 98);
  const bin = Buffer.from([0, 1, 2, 13, 10, 255]);
  await r.set(Buffer.from('bk'), bin);
  assert.deepEqual(await r.getBuffer('bk'), bin);
  assert.equal(await r.incrby('n', 5), 5);
  assert.equal(await r.incrbyfloat('f', '0.1'), '0.1');
  assert.equal(await r.hset('h', { a: '1', b: 'x' }), 2);
  assert.deepEqual(await r.hgetall('h'), { a: '1', b: 'x' });
  assert.deepEqual(await r.hgetall('nohash'), {});
  assert.equal(await r.rpush('l', 'a', 'b', 'c'), 3);
  assert.deepEqual(await r.lrange('l', 0, -1), ['a', 'b', 'c']);
  assert.equal(await r.zadd('z', 1.5, 'a', -3, 'b'), 2);
  assert.deepEqual(await r.zrange('z', 0, -1, 'WITHSCORES'), ['b', '-3', 'a', '1.5']);
  assert.deepEqual(await r.mget('k', 'missing'), ['v', null]);
  assert.deepEqual((await r.smembers('noset')), []);
  assert.equal(await r.exists('k', 'h', 'nope'), 2);
  assert.equal(await r.type('z'), 'zset');
  const info = await r.info('server');
  assert.match(info, /redis_version:7\./);
});

test('scanStream walks every key once', async () => {
  const r = client();
  await r.flushall();
  const p = r.pipeline();
  for (let i = 0; i < 500; i++) {
    p.set(`scan:${i}`, i);
  }
  p.set('other', 1);
  await p.exec();
  const seen = new Set();
  const stream = r.scanStream({ match: 'scan:*', count: 50 });
  for await (const keys of stream) {
    for (const k of keys) {
      seen.add(k);
    }
  }
  assert.equal(seen.size, 500);
});

test('pipelines: results in order, errors in place', async () => {
  const r = client();
  await r.flushall();
  const res = await r.pipeline().set('a', '1').incr('a').get('a').lpush('a', 'x').get('a').exec();
  assert.deepEqual(res.slice(0, 3), [[null, 'OK'], [null, 2], [null, '2']]);
  assert.ok(res[3][0] instanceof ReplyError);
  assert.match(res[3][0].message, /^WRONGTYPE Operation against a key holding the wrong kind of value/);
  assert.deepEqual(res[4], [null, '2']);
});

test('auto-pipelining many concurrent commands', async () => {
  const r = client({ enableAutoPipelining: true });
  await r.del('ctr');
  const replies = await Promise.all(Array.from({ length: 2000 }, () => r.incr('ctr')));
  assert.deepEqual(replies.sort((x, y) => x - y), Array.from({ length: 2000 }, (_, i) => i + 1));
});

test('MULTI/EXEC and WATCH', async () => {
  const r = client();
  const other = client();
  await r.flushall();
  assert.deepEqual(await r.multi().incr('t').incr('t').get('t').exec(),
    [[null, 1], [null, 2], [null, '2']]);
  await r.watch('w');
  await other.set('w', 'changed');
  assert.equal(await r.multi().set('w', 'mine').exec(), null);
  assert.equal(await r.get('w'), 'changed');
  // A queue-time error aborts the transaction with EXECABORT.
  await assert.rejects(r.multi().set('x', '1').call('SET', 'only-key').exec(),
    (e) => e instanceof ReplyError && /^EXECABORT/.test(e.message));
  assert.equal(await r.exists('x'), 0);
});

test('error replies are ReplyError with the server message', async () => {
  const r = client();
  await r.set('s', 'str');
  await assert.rejects(r.lpush('s', 'x'), (e) => e instanceof ReplyError &&
    e.message === 'WRONGTYPE Operation against a key holding the wrong kind of value');
  await assert.rejects(r.call('NOSUCHCMD', 'a'),
    (e) => e instanceof ReplyError && /^ERR unknown command 'NOSUCHCMD'/.test(e.message));
  await assert.rejects(r.incr('s'),
    (e) => e instanceof ReplyError && e.message === 'ERR value is not an integer or out of range');
  assert.equal(await r.get('s'), 'str');
});

test('pub/sub: channels, patterns, binary messages', async () => {
  const sub = client();
  const pub = client();
  assert.equal(await sub.subscribe('news', 'sport'), 2);
  assert.equal(await sub.psubscribe('user:*'), 3);
  const msg = once(sub, 'message');
  const pmsg = once(sub, 'pmessage');
  const bmsg = once(sub, 'messageBuffer');
  assert.equal(await pub.publish('news', 'hello'), 1);
  assert.deepEqual(await msg, ['news', 'hello']);
  assert.deepEqual((await bmsg).map(String), ['news', 'hello']);
  assert.equal(await pub.publish('user:7', 'hi'), 1);
  assert.deepEqual(await pmsg, ['user:*', 'user:7', 'hi']);
  assert.equal(await sub.unsubscribe('news'), 2);
  assert.equal(await pub.publish('news', 'x'), 0);
  assert.equal(await sub.unsubscribe('sport'), 1); // the pattern subscription remains
  assert.equal(await sub.punsubscribe('user:*'), 0);
  await sub.set('after-sub', '1'); // out of subscriber mode: ordinary commands again
  assert.equal(await sub.get('after-sub'), '1');
});

test('reconnects after the server drops the connection', async () => {
  const r = client();
  const admin = client();
  await r.set('persist', 'yes');
  const id = await r.client('ID');
  const reconnecting = once(r, 'reconnecting');
  assert.equal(await admin.client('KILL', 'ID', String(id)), 1);
  await reconnecting;
  assert.equal(await r.get('persist'), 'yes');
  assert.notEqual(await r.client('ID'), id);
});
