# A Python asyncio TCP echo server for `npm run bench:echo`: the "TCP Echo Server" example of the
# Python documentation (asyncio Protocols, the faster of its two echo examples), on loopback.
# argv[1] = port (0: the kernel picks; the bound port is printed on stdout).
import asyncio
import sys


class EchoServerProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(EchoServerProtocol, '127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 0, backlog=4096)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
