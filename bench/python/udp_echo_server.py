# The notes' UDP server loop (section 1.5) with echo as process_data, for `npm run bench:echo`.
# Same loop as test/fixtures/notes/udp_server.py: recvfrom(1024), decode UTF-8, process, encode,
# sendto. Differences: process_data returns its input (echo), the port comes from argv[1] (0 = the
# kernel picks; the bound port is printed), and the host from argv[2] (default 127.0.0.1).
import socket
import sys


def process_data(text):
    return text


server_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server_address = (sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
server_socket.bind(server_address)
print(server_socket.getsockname()[1], flush=True)

while True:
    data, client_address = server_socket.recvfrom(1024)
    processed_data = process_data(data.decode('utf-8'))
    server_socket.sendto(processed_data.encode('utf-8'), client_address)
