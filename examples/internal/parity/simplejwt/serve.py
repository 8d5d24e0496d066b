"""Runs the reference simplejwt server for the parity test, without manage.py.

It migrates a fresh SQLite database, creates the example servers' demo users (demo, id 1,
active; inactive, id 2, inactive; both with password demo-password), listens on 127.0.0.1 on a
free port, prints "ready <port>" on stdout and serves until its standard input closes: the Go
test holds the pipe, so the server stops with the test however the test ends.
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

call_command("migrate", verbosity=0, interactive=False)
User.objects.create_user(id=1, username="demo", password="demo-password")
User.objects.create_user(id=2, username="inactive", password="demo-password", is_active=False)


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass

    def get_environ(self):
        # wsgiref alone says text/plain for a request that has no Content-Type; production
        # WSGI servers (gunicorn, uWSGI) leave it out, and DRF then names "" in its 415.
        env = super().get_environ()
        if self.headers.get("Content-Type") is None:
            env.pop("CONTENT_TYPE", None)
        return env


def stop_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


httpd = make_server("127.0.0.1", 0, get_wsgi_application(), server_class=Server, handler_class=QuietHandler)
threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
print("ready", httpd.server_port, flush=True)
httpd.serve_forever()
