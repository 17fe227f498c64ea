"""The incomes service: FastAPI + SQLAlchemy 1.4 asyncio (asyncpg) + PostgreSQL, with reads
through the cache-aside helper in cache.py over kvik-server (or any Redis).

    GET    /users/{user_id}/incomes               a user's incomes, newest first (cached)
    GET    /_stats                                SELECTs sent to PostgreSQL, cache counters
    POST   /users/{user_id}/incomes               add one; body {"amount": "12.30",
                                                  "category": "salary", "created_at"?: ISO}
    DELETE /users/{user_id}/incomes/{income_id}   delete one

Configuration from the environment: DATABASE_URL (postgresql+asyncpg://...), REDIS_URL
(redis://host:port/db), CACHE_TTL (seconds, default 180), CACHE=off to bypass the cache.
Run: uvicorn --app-dir examples/incomes app:app
"""
import os
from datetime import datetime, timezone
from decimal import Decimal
from typing import List, Optional

from fastapi import FastAPI, HTTPException, Response
from pydantic import BaseModel, condecimal, constr
from sqlalchemy import BigInteger, Column, DateTime, Integer, Numeric, String, delete, event, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import declarative_base, sessionmaker

from cache import CacheAside

Base = declarative_base()


class Income(Base):
    __tablename__ = "incomes"

    id = Column(BigInteger, primary_key=True, autoincrement=True)
    owner_id = Column(Integer, nullable=False, index=True)
    amount = Column(Numeric(14, 2), nullable=False)
    category = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)


class IncomeIn(BaseModel):
    amount: condecimal(max_digits=14, decimal_places=2)
    category: constr(min_length=1, max_length=64)
    created_at: Optional[datetime] = None


class IncomeOut(BaseModel):
    id: int
    owner_id: int
    amount: Decimal
    category: str
    created_at: datetime

    class Config:
        # A JSON number would lose the scale (10.50 -> 10.5) and invite float rounding.
        json_encoders = {Decimal: str}


def cache_key(user_id):
    return "%d: incomes: all" % user_id


def income_row(i):
    return {"id": i.id, "owner_id": i.owner_id, "amount": i.amount, "category": i.category,
            "created_at": i.created_at}


class QueryCounter:
    """Counts SELECTs that reach PostgreSQL, for the stampede test and the load script."""

    def __init__(self, engine):
        self.selects = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, conn, cursor, statement, params, context, executemany):
        # Only the service's own reads: not the catalog lookups of create_all.
        if statement.lstrip().upper().startswith("SELECT") and "FROM incomes" in statement:
            self.selects += 1


def create_app(database_url=None, redis_url=None, ttl=None, use_cache=None, pool_size=20):
    database_url = database_url or os.environ["DATABASE_URL"]
    redis_url = redis_url or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    ttl = int(ttl if ttl is not None else os.environ.get("CACHE_TTL", 180))
    if use_cache is None:
        use_cache = os.environ.get("CACHE", "on") != "off"

    engine = create_async_engine(database_url, pool_size=pool_size, max_overflow=0,
                                 pool_timeout=30)
    sessions = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    cache = CacheAside.from_url(redis_url, ttl=ttl) if use_cache else None
    app = FastAPI(title="incomes")
    app.state.engine = engine
    app.state.cache = cache
    app.state.queries = QueryCounter(engine)

    async def load_incomes(user_id):
        async with sessions() as s:
            rows = await s.execute(select(Income).where(Income.owner_id == user_id)
                                   .order_by(Income.created_at.desc(), Income.id.desc()))
            return [income_row(i) for i in rows.scalars()]

    async def init_db():
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

    async def close():
        if cache is not None:
            await cache.close()
        await engine.dispose()

    app.state.init_db = init_db
    app.state.close = close
    app.state.load_incomes = load_incomes

    @app.on_event("startup")
    async def startup():
        await init_db()

    @app.on_event("shutdown")
    async def shutdown():
        await close()

    @app.get("/_stats")
    async def stats():
        # For the load script and operators: what reached PostgreSQL, what the cache did.
        return {"db_selects": app.state.queries.selects,
                "cache": dict(cache.stats) if cache is not None else None}

    @app.get("/users/{user_id}/incomes", response_model=List[IncomeOut])
    async def list_incomes(user_id: int):
        if cache is None:
            return await load_incomes(user_id)
        return await cache.get_or_load(cache_key(user_id), lambda: load_incomes(user_id))

    @app.post("/users/{user_id}/incomes", response_model=IncomeOut, status_code=201)
    async def add_income(user_id: int, body: IncomeIn):
        created = body.created_at or datetime.now(timezone.utc)
        if created.tzinfo is None:
            created = created.replace(tzinfo=timezone.utc)
        income = Income(owner_id=user_id, amount=body.amount, category=body.category,
                        created_at=created)
        async with sessions() as s:
            async with s.begin():
                s.add(income)
            # The transaction has committed here; only now is the cached list stale.
        if cache is not None:
            await cache.invalidate(cache_key(user_id))
        return income_row(income)

    @app.delete("/users/{user_id}/incomes/{income_id}", status_code=204)
    async def delete_income(user_id: int, income_id: int):
        async with sessions() as s:
            async with s.begin():
                res = await s.execute(delete(Income).where(Income.id == income_id,
                                                           Income.owner_id == user_id))
        if res.rowcount == 0:
            raise HTTPException(status_code=404, detail="no such income")
        if cache is not None:
            await cache.invalidate(cache_key(user_id))
        return Response(status_code=204)

    return app


def _app_from_env():
    if "DATABASE_URL" not in os.environ:
        return None
    return create_app()


app = _app_from_env()
