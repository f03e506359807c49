"""A small IMAP4rev1 server on a loopback socket, for the mailbox poller's tests: no IMAP server package is on
the machines that run them. It speaks the subset a mail client uses to read and mark a mailbox (CAPABILITY,
LOGIN, SELECT, SEARCH UNSEEN, FETCH BODY.PEEK[] / RFC822 / FLAGS, STORE ±FLAGS, COPY, EXPUNGE, CLOSE, NOOP,
LOGOUT), over plain TCP, with one user and folders in memory; what the poller did is read back from ``folders``."""

import re
import socketserver
import threading
from dataclasses import dataclass, field

_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\([^)]*\))|(\S+)')


@dataclass
class Mail:
    raw: bytes
    flags: set = field(default_factory=set)


class Mailbox:
    def __init__(self, user, password):
        self.user, self.password = user, password
        self.folders = {"INBOX": []}
        self.lock = threading.Lock()
        self.logins = 0

    def deliver(self, raw, folder="INBOX"):
        with self.lock:
            self.folders.setdefault(folder, []).append(Mail(raw))

    def flags(self, folder="INBOX"):
        return [set(mail.flags) for mail in self.folders[folder]]


def _tokens(text):
    """A command's arguments: atoms, parenthesised lists (kept whole) and quoted strings (unquoted)."""
    found = []
    for quoted, group, atom in _TOKEN.findall(text):
        found.append(group or atom or quoted.replace('\\"', '"').replace("\\\\", "\\"))
    return found


class _Session(socketserver.StreamRequestHandler):
    def setup(self):
        super().setup()
        self.mailbox = self.server.mailbox
        self.authenticated = False
        self.selected = None

    def say(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.say("* OK Munis test IMAP4rev1 server ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            tag, _space, rest = line.decode(errors="replace").rstrip("\r\n").partition(" ")
            command, _space, arguments = rest.partition(" ")
            handler = getattr(self, f"do_{command.upper()}", None)
            if handler is None:
                self.say(f"{tag} BAD unknown command")
                continue
            with self.mailbox.lock:
                finished = handler(tag, _tokens(arguments))
            if finished:
                return

    def do_CAPABILITY(self, tag, args):  # noqa: N802 - IMAP command names
        self.say("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
        self.say(f"{tag} OK CAPABILITY completed")

    def do_NOOP(self, tag, args):  # noqa: N802
        self.say(f"{tag} OK NOOP completed")

    def do_LOGIN(self, tag, args):  # noqa: N802
        if args[:2] == [self.mailbox.user, self.mailbox.password]:
            self.authenticated = True
            self.mailbox.logins += 1
            self.say(f"{tag} OK LOGIN completed")
        else:
            self.say(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials")

    def do_SELECT(self, tag, args):  # noqa: N802
        name = args[0] if args else ""
        if not self.authenticated or name not in self.mailbox.folders:
            self.say(f"{tag} NO no such folder")
            return
        self.selected = name
        self.say(f"* {len(self._mails())} EXISTS")
        self.say("* 0 RECENT")
        self.say(r"* FLAGS (\Seen \Flagged \Deleted \Answered \Draft)")
        self.say(f"{tag} OK [READ-WRITE] SELECT completed")

    def _mails(self):
        return self.mailbox.folders[self.selected]

    def _message(self, number):
        mails = self._mails()
        index = int(number) - 1
        return mails[index] if 0 <= index < len(mails) else None

    def do_SEARCH(self, tag, args):  # noqa: N802
        if [arg.upper() for arg in args] != ["UNSEEN"]:
            self.say(f"{tag} BAD only SEARCH UNSEEN is served")
            return
        numbers = [str(n) for n, mail in enumerate(self._mails(), start=1) if r"\Seen" not in mail.flags]
        self.say("* SEARCH" + "".join(f" {n}" for n in numbers))
        self.say(f"{tag} OK SEARCH completed")

    def do_FETCH(self, tag, args):  # noqa: N802
        mail = self._message(args[0])
        what = " ".join(args[1:]).strip("()").upper()
        if mail is None:
            self.say(f"{tag} NO no such message")
            return
        if what in ("BODY.PEEK[]", "RFC822", "BODY[]"):
            if what != "BODY.PEEK[]":
                mail.flags.add(r"\Seen")
            item = "RFC822" if what == "RFC822" else "BODY[]"
            self.wfile.write(f"* {args[0]} FETCH ({item} {{{len(mail.raw)}}}\r\n".encode() + mail.raw + b")\r\n")
        elif what == "FLAGS":
            self.say(f"* {args[0]} FETCH (FLAGS ({' '.join(sorted(mail.flags))}))")
        else:
            self.say(f"{tag} BAD only BODY.PEEK[], BODY[], RFC822 and FLAGS are served")
            return
        self.say(f"{tag} OK FETCH completed")

    def do_STORE(self, tag, args):  # noqa: N802
        mail = self._message(args[0])
        if mail is None or len(args) < 3:
            self.say(f"{tag} NO no such message")
            return
        flags = set(args[2].strip("()").split())
        if args[1].upper().startswith("+"):
            mail.flags |= flags
        elif args[1].upper().startswith("-"):
            mail.flags -= flags
        else:
            mail.flags = flags
        self.say(f"* {args[0]} FETCH (FLAGS ({' '.join(sorted(mail.flags))}))")
        self.say(f"{tag} OK STORE completed")

    def do_COPY(self, tag, args):  # noqa: N802
        mail = self._message(args[0])
        if mail is None or args[1] not in self.mailbox.folders:
            self.say(f"{tag} NO [TRYCREATE] no such folder")
            return
        self.mailbox.folders[args[1]].append(Mail(mail.raw, set(mail.flags) - {r"\Deleted"}))
        self.say(f"{tag} OK COPY completed")

    def _expunge(self, *, tell):
        mails = self._mails()
        for number in range(len(mails), 0, -1):
            if r"\Deleted" in mails[number - 1].flags:
                del mails[number - 1]
                if tell:
                    self.say(f"* {number} EXPUNGE")

    def do_EXPUNGE(self, tag, args):  # noqa: N802
        self._expunge(tell=True)
        self.say(f"{tag} OK EXPUNGE completed")

    def do_CLOSE(self, tag, args):  # noqa: N802
        self._expunge(tell=False)
        self.selected = None
        self.say(f"{tag} OK CLOSE completed")

    def do_LOGOUT(self, tag, args):  # noqa: N802
        self.say("* BYE logging out")
        self.say(f"{tag} OK LOGOUT completed")
        return True


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class ImapServer:
    """``with ImapServer(user, password) as server:`` serves ``server.mailbox`` on 127.0.0.1:``server.port``."""

    def __init__(self, user="reports@city.example", password="s3cret pass"):
        self.mailbox = Mailbox(user, password)
        self._server = _Server(("127.0.0.1", 0), _Session)
        self._server.mailbox = self.mailbox
        self.port = self._server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, name="test-imap", daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
