# syntax=docker/dockerfile:1
# Multi-stage build of the gateway. No Docker engine runs in CI, so .ci/run replays this build stage instead: the
# same project files restored alone, then the sources, then the same publish (see .ci/run).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# The image's own architecture: buildx sets TARGETARCH; the classic builder leaves it empty (amd64). The publish is
# ReadyToRun, precompiled for that architecture, so anything else is refused rather than built for the wrong one.
ARG TARGETARCH
WORKDIR /src

# Restore first, from the project files only, so the layer is cached across code changes. Every project the gateway
# references must be listed here: a missing one is skipped by restore without an error and fails the publish.
# PublishReadyToRun is given to the restore too: `-r` sets RuntimeIdentifiers there, not the RuntimeIdentifier
# Gateway.csproj keys on, and without it the ReadyToRun compiler package is not restored for the --no-restore publish.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Gateway/Gateway.csproj src/Gateway/
COPY src/Gateway.MockProvider/Gateway.MockProvider.csproj src/Gateway.MockProvider/
COPY src/Gateway.Contracts/Gateway.Contracts.csproj src/Gateway.Contracts/
COPY src/Gateway.Eval/Gateway.Eval.csproj src/Gateway.Eval/
RUN case "${TARGETARCH:-amd64}" in \
      amd64) echo linux-x64 ;; \
      arm64) echo linux-arm64 ;; \
      *) echo "unsupported architecture: $TARGETARCH" >&2; exit 1 ;; \
    esac > /tmp/rid \
 && dotnet restore src/Gateway/Gateway.csproj -r "$(cat /tmp/rid)" -p:PublishReadyToRun=true

COPY config/ config/
COPY src/ src/
# ReadyToRun (Gateway.csproj turns it on for a publish with a runtime identifier): most of the code is precompiled,
# so a fresh instance spends far less time in the JIT before its first admin calls (a rollout abort) under load.
RUN dotnet publish src/Gateway/Gateway.csproj -c Release -o /app/publish --no-restore -r "$(cat /tmp/rid)" --self-contained false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl only serves the HEALTHCHECK.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data \
 && chown "$APP_UID" /data

WORKDIR /app
COPY --from=build /app/publish .

# The base image's non-root user. /data holds the embedded store when no Redis is set.
USER $APP_UID
# DOTNET_GCgen0size: a 16 MB floor under gen0's budget (environment only: the runtime reads it from no config file).
# DATAS alone collected gen0 about twice a second at 1,000 req/s, and every collection stops the requests in flight:
# 93 gen0 collections in four 10 s windows and 32-38 ms of pause in each, against 17 and 6-7 ms with the floor
# (loadtests/RESULTS.md, "goals on the fourteenth session"). The load tests start the gateway with the same value (TestBed).
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Redis__Embedded__DataDirectory=/data \
    DOTNET_gcServer=1 \
    DOTNET_GCgen0size=0x1000000
EXPOSE 8080
VOLUME ["/data"]

HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1

ENTRYPOINT ["dotnet", "Gateway.dll"]
