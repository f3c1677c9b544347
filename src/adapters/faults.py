"""How a connection to PostgreSQL or Redis failed, named so that an operator knows what to fix.

Fault                       what to look at
authentication refused      the user name and password in the URL
certificate not verified    the URL's TLS options (sslmode, sslrootcert, ssl_ca_certs)
                            and the server's certificate
protocol error              what sits in between: a pooler's mode, a proxy, a wrong port
server unreachable          host, port, network; it may come back by itself

Each adapter sorts its library's errors into these; only the last may pass by
waiting, so at start the first two stop the service (``Rejected``) while an
unreachable server leaves it starting, degraded, until the server is back.
"""

from __future__ import annotations

from enum import Enum


class Fault(Enum):
    """What went wrong between the service and a server it uses."""

    AUTHENTICATION = "authentication refused"
    CERTIFICATE = "certificate not verified"
    PROTOCOL = "protocol error"
    UNREACHABLE = "server unreachable"

    @property
    def lasting(self) -> bool:
        """Whether waiting cannot help: a setting, or the server's own, must change first."""
        return self in (Fault.AUTHENTICATION, Fault.CERTIFICATE)

    def sentence(self, server: str) -> str:
        """The fault as a client may read it, e.g. "the database refused the credentials"."""
        return {
            Fault.AUTHENTICATION: f"{server} refused the credentials",
            Fault.CERTIFICATE: f"{server} did not present a certificate that could be verified",
            Fault.PROTOCOL: f"{server} answered with a protocol error",
            Fault.UNREACHABLE: f"{server} cannot be reached",
        }[self]

    def describe(self, server: str, detail: object) -> str:
        """One line for an operator: the sentence, the fault's name, the driver's words."""
        return f"{self.sentence(server)} ({self.value}): {one_line(detail)}"


def one_line(detail: object) -> str:
    """A driver's message on one line: libpq spreads some over several."""
    return " ".join(str(detail).split())


class Rejected(Exception):
    """A server refused the credentials or the certificate: retrying cannot help."""

    def __init__(self, server: str, fault: Fault, detail: object) -> None:
        self.fault = fault
        super().__init__(fault.describe(server, detail))
