"""Runs Django for the jwtdjango tests without manage.py.

    run.py migrate                  Django's migrate (auth, contenttypes, token_blacklist)
    run.py flushexpiredtokens       simplejwt's command
    run.py adduser ID NAME PASSWORD an active user
    run.py serve                    listens on 127.0.0.1 on a free port, prints "ready <port>"
                                    and serves until its standard input closes, so the Go test
                                    that holds the pipe stops it however the test ends
"""

import os
import sys
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def serve():
    def stop_when_stdin_closes():
        sys.stdin.read()
        os._exit(0)

    httpd = make_server("127.0.0.1", 0, get_wsgi_application(), server_class=Server, handler_class=QuietHandler)
    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    print("ready", httpd.server_port, flush=True)
    httpd.serve_forever()


command, args = sys.argv[1], sys.argv[2:]
if command == "serve":
    serve()
elif command == "adduser":
    User.objects.create_user(id=int(args[0]), username=args[1], password=args[2])
elif command == "migrate":
    call_command(command, *args, verbosity=0, interactive=False)
else:
    call_command(command, *args, verbosity=0)
