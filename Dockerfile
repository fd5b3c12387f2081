# One image for the api and the workers; compose.yaml runs it with different commands.
# The dependencies come from requirements/hub.lock, each checked against its hashes; then the
# distribution gatehouse-hub itself, without dependencies, built by the locked setuptools.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements/hub.lock requirements/
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements/hub.lock
COPY pyproject.toml README.md LICENSE ./
COPY gatehouse ./gatehouse
COPY core_records ./core_records
COPY routing ./routing
COPY adapters ./adapters
COPY schemas ./schemas
COPY monitoring ./monitoring
RUN pip install --no-cache-dir --no-deps --no-build-isolation . && pip check
RUN useradd --system --uid 10001 gatehouse
USER gatehouse
EXPOSE 8000
CMD ["gatehouse", "serve", "--host", "0.0.0.0"]
