"""The Python peer of the fan-out benchmark: datastar-py + starlette under uvicorn.

Same contract as nitro's fan-out server: GET /sse streams an append patch for every message
POSTed to /publish ({"id": n, "ts": micros}). Each client has a bounded queue (256, newest
dropped when full). Started by benches/benches/fanout.rs: python fanout_peer.py PORT
"""
import asyncio
import sys

import uvicorn
from datastar_py.consts import ElementPatchMode
from datastar_py.sse import ServerSentEventGenerator as SSE
from datastar_py.starlette import DatastarResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

clients: set[asyncio.Queue] = set()


async def sse(request: Request):
    queue: asyncio.Queue = asyncio.Queue(maxsize=256)
    clients.add(queue)

    async def events():
        try:
            while True:
                msg = await queue.get()
                html = f'<li id="msg-{msg["id"]}">message {msg["id"]} ts={msg["ts"]}</li>'
                yield SSE.patch_elements(html, selector="#messages", mode=ElementPatchMode.APPEND)
        finally:
            clients.discard(queue)

    return DatastarResponse(events())


async def publish(request: Request):
    msg = await request.json()
    for queue in list(clients):
        try:
            queue.put_nowait(msg)
        except asyncio.QueueFull:
            pass
    return PlainTextResponse(str(len(clients)))


app = Starlette(routes=[Route("/sse", sse), Route("/publish", publish, methods=["POST"])])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", backlog=4096)
