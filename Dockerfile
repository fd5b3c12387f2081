# One image for the api and the workers; compose.yaml runs it with different commands.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY gatehouse ./gatehouse
COPY core_records ./core_records
COPY routing ./routing
COPY adapters ./adapters
COPY schemas ./schemas
COPY monitoring ./monitoring
RUN pip install --no-cache-dir .
RUN useradd --system --uid 10001 gatehouse
USER gatehouse
EXPOSE 8000
CMD ["gatehouse", "serve", "--host", "0.0.0.0"]
