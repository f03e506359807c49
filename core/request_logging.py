"""Every log record written while a request is served names it: ``request_id`` (ours, as in the audit
rows and the X-Request-ID answer) and ``client_request_id`` (what the client or a proxy sent, if anything),
so an operator can follow one request through our log and the proxy's."""

import logging

from .context import current_client_request_id, current_request_id

_factory_installed = False


def install_log_record_factory():
    global _factory_installed
    if _factory_installed:
        return
    base_factory = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = base_factory(*args, **kwargs)
        record.request_id = current_request_id() or "-"
        record.client_request_id = current_client_request_id() or "-"
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True


class RequestFormatter(logging.Formatter):
    """The standard formatter, for records made before the factory was installed too."""

    def format(self, record):
        for name in ("request_id", "client_request_id"):
            if not hasattr(record, name):
                setattr(record, name, "-")
        return super().format(record)
