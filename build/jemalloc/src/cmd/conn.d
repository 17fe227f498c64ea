build/jemalloc/src/cmd/conn.o: src/cmd/conn.c src/base/alloc.h \
 src/base/util.h src/core/client.h src/base/kstr.h src/core/command.h \
 src/db/db.h src/db/object.h src/ds/ht.h src/net/net.h src/proto/reply.h \
 src/proto/resp_parse.h src/base/splitargs.h src/core/dispatch.h \
 src/core/families.h src/core/server.h src/event/ev.h
src/base/alloc.h:
src/base/util.h:
src/core/client.h:
src/base/kstr.h:
src/core/command.h:
src/db/db.h:
src/db/object.h:
src/ds/ht.h:
src/net/net.h:
src/proto/reply.h:
src/proto/resp_parse.h:
src/base/splitargs.h:
src/core/dispatch.h:
src/core/families.h:
src/core/server.h:
src/event/ev.h:
