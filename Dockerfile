# syntax=docker/dockerfile:1
# One image for the api and the workers; compose.yaml runs it with different commands.
#
# builder: every wheel requirements/hub.lock names, each file checked against the lock's
# hashes, then the wheel of gatehouse-hub itself, built by the locked setuptools without
# reaching the index. runtime: those wheels alone, installed offline, as a non-root user;
# no compiler, pip cache or source tree is left in it. Python 3.11, as the tests run.
FROM python:3.11-slim AS builder
WORKDIR /src
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY requirements/hub.lock requirements/
RUN pip wheel --require-hashes --no-deps --wheel-dir /wheels -r requirements/hub.lock \
    && pip install --no-index --find-links /wheels --force-reinstall --no-deps setuptools wheel
COPY pyproject.toml README.md LICENSE ./
COPY gatehouse ./gatehouse
COPY core_records ./core_records
COPY routing ./routing
COPY adapters ./adapters
COPY schemas ./schemas
COPY monitoring ./monitoring
RUN pip wheel --no-index --no-deps --no-build-isolation --wheel-dir /wheels .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GATEHOUSE_DATA_DIR=/var/lib/gatehouse
# The wheels are mounted for this step only, so they add nothing to the image's layers.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --no-deps /wheels/*.whl \
    && pip check \
    && useradd --uid 10001 --user-group --home-dir /var/lib/gatehouse --shell /usr/sbin/nologin \
       gatehouse \
    && install -d -o gatehouse -g gatehouse -m 0750 /var/lib/gatehouse
WORKDIR /var/lib/gatehouse
USER gatehouse
EXPOSE 8000
# Liveness only (the process answers); compose.yaml's api checks readiness, and overrides
# this for the workers and the one-shot jobs, which serve no HTTP.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=4)"]
CMD ["gatehouse", "serve", "--host", "0.0.0.0", "--port", "8000"]
