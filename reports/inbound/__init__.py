"""Problem reports that arrive by SMS (``sms``), by e-mail (``mail``, through the IMAP ``mailbox`` or a provider's
webhook) and by phone (``phone``, the call-centre's screen). Each ends as a report filed through
``reports.services.report_submit``, audited with its channel; SMS and e-mail reports are moderated first.

Every SMS and e-mail taken in is kept as an ``InboundMessage`` (``common.message_take``) in the transaction of what
it caused, keyed by its id in its channel: a second delivery of the same message does nothing more."""
