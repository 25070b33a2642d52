"""An order service written with FastStream as its documentation shows, and the peer that calls it.

- `faststream run orders:app` runs the service: it answers `orders.place` (in the queue group
  `orders`, publishing each order placed on `orders.created` too) and `orders.get`, and takes
  cancellations on `orders.{region}.cancel`, publishing each on `orders.cancelled`. Its worker name
  is `$WORKER`.
- `faststream docs gen orders:app` exports its AsyncAPI document (3.0, or 2.6 with
  `ASYNCAPI_VERSION=2.6.0`).
- `python orders.py peer URL N` is FastStream's side of a peer: it asks `orders.place` N times with
  `broker.request`, waits for N orders on `orders.created`, and prints what it got, each parsed by
  pydantic, as JSON on its last line (FastStream logs to stdout before it).
- `python orders.py validate` reads `[{"message": ..., "payload": ...}]` on stdin and prints
  pydantic's verdict on each (strict JSON validation: the exported schemas' meaning, where
  FastStream's own parsing would turn `"2"` into 2), as JSON.
"""

import asyncio
import json
import os
import sys
from enum import Enum
from typing import List, Optional, Union

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from faststream import FastStream, Path
from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI

broker = NatsBroker(os.environ.get("NATS_URL", "nats://127.0.0.1:4222"))
app = FastStream(
    broker,
    specification=AsyncAPI(
        title="Orders",
        version="1.0.0",
        description="An order service written with FastStream.",
        schema_version=os.environ.get("ASYNCAPI_VERSION", "3.0.0"),
    ),
)
WORKER = os.environ.get("WORKER", "worker")


class Status(str, Enum):
    placed = "placed"
    cancelled = "cancelled"


class Address(BaseModel):
    street: str
    city: str = Field(min_length=1)


class PlaceOrder(BaseModel):
    sku: str = Field(pattern=r"^[A-Z]{3}-[0-9]+$")
    quantity: int = Field(ge=1, le=100)
    note: Optional[str] = None
    address: Address
    tags: List[str] = []


class OrderPlaced(BaseModel):
    order_id: str
    status: Status
    total: float = Field(gt=0)
    worker: str


class CancelOrder(BaseModel):
    order_id: str
    reason: Optional[str] = Field(default=None, max_length=40)
    # A union as pydantic users write them: an amount in cents or a voucher code.
    refund: Union[int, str, None] = None


class OrderCancelled(BaseModel):
    order_id: str
    region: str
    reason: Optional[str] = None
    refund: Union[int, str, None] = None


created = broker.publisher("orders.created", title="OrderCreated", schema=OrderPlaced)
cancelled = broker.publisher("orders.cancelled", title="OrderCancelled", schema=OrderCancelled)
placed = 0


@broker.subscriber("orders.place", queue="orders")
@created
async def place_order(cmd: PlaceOrder) -> OrderPlaced:
    global placed
    placed += 1
    return OrderPlaced(
        order_id=f"{WORKER}-{placed}",
        status=Status.placed,
        total=cmd.quantity * 1.5,
        worker=WORKER,
    )


@broker.subscriber("orders.get")
async def get_order(order_id: str) -> OrderPlaced:
    return OrderPlaced(order_id=order_id, status=Status.placed, total=2.0, worker=WORKER)


@broker.subscriber("orders.{region}.cancel")
async def cancel_order(cmd: CancelOrder, region: str = Path()) -> None:
    await cancelled.publish(
        OrderCancelled(order_id=cmd.order_id, region=region, reason=cmd.reason, refund=cmd.refund)
    )


async def peer(url: str, n: int) -> None:
    client = NatsBroker(url)
    seen: List[dict] = []
    done = asyncio.Event()

    @client.subscriber("orders.created")
    async def on_created(order: OrderPlaced) -> None:
        seen.append(order.model_dump(mode="json"))
        if len(seen) == n:
            done.set()

    async with client:
        await client.start()
        replies = []
        for i in range(n):
            cmd = PlaceOrder(sku="ABC-1", quantity=i + 1, address=Address(street="1 Main", city="Gent"))
            response = await client.request(cmd, "orders.place", timeout=5)
            reply = OrderPlaced.model_validate_json(response.body)
            replies.append(reply.model_dump(mode="json"))
        await asyncio.wait_for(done.wait(), timeout=10)
    print(json.dumps({"replies": replies, "created": seen}))


MESSAGES = {
    "PlaceOrder": PlaceOrder,
    "OrderPlaced": OrderPlaced,
    "CancelOrder": CancelOrder,
    "OrderCancelled": OrderCancelled,
    "GetOrder": str,
}


def validate() -> None:
    verdicts = []
    for case in json.load(sys.stdin):
        try:
            adapter = TypeAdapter(MESSAGES[case["message"]])
            adapter.validate_json(json.dumps(case["payload"]), strict=True)
            verdicts.append(True)
        except ValidationError:
            verdicts.append(False)
    print(json.dumps(verdicts))


if __name__ == "__main__":
    if sys.argv[1] == "peer":
        asyncio.run(peer(sys.argv[2], int(sys.argv[3])))
    elif sys.argv[1] == "validate":
        validate()
