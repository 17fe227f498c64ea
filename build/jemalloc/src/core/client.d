build/jemalloc/src/core/client.o: src/core/client.c src/core/client.h \
 src/base/kstr.h src/core/command.h src/db/db.h src/db/object.h \
 src/ds/ht.h src/net/net.h src/proto/reply.h src/proto/resp_parse.h \
 src/base/splitargs.h src/base/alloc.h src/base/clock.h src/base/log.h \
 src/core/dispatch.h src/core/server.h src/event/ev.h
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
src/base/alloc.h:
src/base/clock.h:
src/base/log.h:
src/core/dispatch.h:
src/core/server.h:
src/event/ev.h:
