"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at ``/open311/v2/``: the categories as services,
problem reports as service requests, in JSON and XML, for the apps residents report with.

Reading (``discovery``, ``services``, ``services/{code}``, ``requests``, ``requests/{id}``, ``tokens/{token}``) is
open to anyone and shows public reports only, never who reported them. Posting a request needs the ``api_key`` of
a registered application (``manage.py create_api_client``); it files the report through
``reports.services.report_submit`` like every other channel. Every refusal is the spec's error list."""
