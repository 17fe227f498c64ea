"""A small raw-socket RESP2/RESP3 client for protocol-level tests.

redis-py 4.3 speaks RESP2 only, so the RESP3 tests talk to the server through this module.
It sends commands as multibulk arrays and parses every RESP3 type except streamed
aggregates/strings (no core command sends those). Replies come back as Python values that
keep the wire type where a test needs to tell types apart:

    +simple      -> str                       $bulk      -> bytes
    -error/!blob -> Error (returned, not raised, so tests can compare exact texts)
    :integer     -> int                       (bignum    -> BigNumber, an int subclass)
    ,double      -> float                     #t / #f    -> True / False
    _ / $-1 / *-1 -> None                     =verbatim  -> Verbatim (bytes + .format)
    *array       -> list                      ~set       -> Set (a list; keeps wire order)
    %map         -> Map (a dict; unhashable keys become tuples)
    >push        -> Push (a list)             |attribute -> WithAttribs(value, attribs)

`call_raw` returns the exact bytes of one reply, for tests that pin the encoding
(e.g. `_\\r\\n` versus `$-1\\r\\n`).
"""
import socket


class Error(Exception):
    """An error reply. Compares equal to another Error with the same text."""

    def __init__(self, message, blob=False):
        super().__init__(message)
        self.message = message
        self.blob = blob

    def __eq__(self, other):
        return isinstance(other, Error) and other.message == self.message

    def __hash__(self):
        return hash(self.message)

    def __repr__(self):
        return "Error(%r)" % self.message

    @property
    def code(self):
        return self.message.split(" ", 1)[0]


class BigNumber(int):
    def __repr__(self):
        return "BigNumber(%d)" % int(self)


class Verbatim(bytes):
    """A verbatim string; `format` is the three-letter type ("txt" or "mkd")."""

    def __new__(cls, data, format):
        obj = super().__new__(cls, data)
        obj.format = format
        return obj

    def __repr__(self):
        return "Verbatim(%r, %s)" % (bytes(self), self.format)


class Map(dict):
    def __repr__(self):
        return "Map(%s)" % dict.__repr__(self)


class Set(list):
    def __repr__(self):
        return "Set(%s)" % list.__repr__(self)


class Push(list):
    def __repr__(self):
        return "Push(%s)" % list.__repr__(self)


class WithAttribs:
    """A reply preceded by an attribute frame (`|`)."""

    def __init__(self, value, attribs):
        self.value = value
        self.attribs = attribs

    def __repr__(self):
        return "WithAttribs(%r, %r)" % (self.value, self.attribs)


class ConnectionClosed(Exception):
    pass


def encode(*args):
    """Encode one command as a RESP multibulk array."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, (int, float)):
            a = str(a).encode()
        out += (b"$%d\r\n" % len(a), a, b"\r\n")
    return b"".join(out)


def _hashable(v):
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, dict):
        return tuple((k, _hashable(x)) for k, x in v.items())
    return v


class Resp3:
    """One connection. `Resp3(port)` or `Resp3(sock=existing_socket)`."""

    def __init__(self, port=None, host="127.0.0.1", sock=None, timeout=10, unix_path=None):
        if sock is None:
            if unix_path is not None:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(timeout)
                sock.connect(unix_path)
            else:
                sock = socket.create_connection((host, port), timeout=timeout)
        self.sock = sock
        self.buf = bytearray()
        self.pos = 0

    # -- sending -----------------------------------------------------------------------
    def send(self, *args):
        self.sock.sendall(encode(*args))

    def send_raw(self, data):
        self.sock.sendall(data)

    # -- receiving ---------------------------------------------------------------------
    def _compact(self):
        # Only between top-level replies, so read_raw can slice out a whole reply.
        if self.pos:
            del self.buf[:self.pos]
            self.pos = 0

    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise ConnectionClosed("server closed the connection")
        self.buf += data

    def _line(self):
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = bytes(self.buf[self.pos:end])
                self.pos = end + 2
                return line
            self._fill()

    def _exact(self, n):
        missing = n + 2 - (len(self.buf) - self.pos)
        if missing > (1 << 16):
            # Big payload: receive straight into place instead of many small appends.
            start = len(self.buf)
            self.buf.extend(bytes(missing))
            view = memoryview(self.buf)[start:]
            got = 0
            try:
                while got < missing:
                    k = self.sock.recv_into(view[got:])
                    if k == 0:
                        raise ConnectionClosed("server closed the connection")
                    got += k
            finally:
                view.release()
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        with memoryview(self.buf) as view:
            data = bytes(view[self.pos:self.pos + n])
        if self.buf[self.pos + n:self.pos + n + 2] != b"\r\n":
            raise ValueError("bulk payload not followed by CRLF")
        self.pos += n + 2
        return data

    def _parse(self):
        line = self._line()
        if not line:
            raise ValueError("empty reply line")
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return Error(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self._parse() for _ in range(n)]
        if t == b"_":
            if rest:
                raise ValueError("null with payload")
            return None
        if t == b",":
            return float(rest)
        if t == b"#":
            if rest not in (b"t", b"f"):
                raise ValueError("bad boolean %r" % rest)
            return rest == b"t"
        if t == b"(":
            return BigNumber(int(rest))
        if t == b"!":
            return Error(self._exact(int(rest)).decode(), blob=True)
        if t == b"=":
            data = self._exact(int(rest))
            if data[3:4] != b":":
                raise ValueError("verbatim string without format prefix")
            return Verbatim(data[4:], data[:3].decode())
        if t == b"%":
            return self._map(int(rest), Map)
        if t == b"~":
            return Set(self._parse() for _ in range(int(rest)))
        if t == b">":
            return Push(self._parse() for _ in range(int(rest)))
        if t == b"|":
            attribs = self._map(int(rest), Map)
            return WithAttribs(self._parse(), attribs)
        raise ValueError("unknown RESP type byte %r in %r" % (t, line))

    def _map(self, n, cls):
        m = cls()
        for _ in range(n):
            k = self._parse()
            m[_hashable(k)] = self._parse()
        return m

    def read(self):
        """Read and return one complete reply (blocking)."""
        self._compact()
        return self._parse()

    def read_raw(self):
        """Read one complete reply and return its exact bytes."""
        self._compact()
        self._parse()
        return bytes(self.buf[:self.pos])

    def call(self, *args):
        self.send(*args)
        return self.read()

    def call_raw(self, *args):
        self.send(*args)
        return self.read_raw()

    def hello(self, proto=3, *extra):
        return self.call("HELLO", proto, *extra)

    def is_closed(self, timeout=2.0):
        """True when the server has closed the connection (EOF or reset) within timeout."""
        old = self.sock.gettimeout()
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(1)
            return data == b""
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False
        finally:
            self.sock.settimeout(old)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
