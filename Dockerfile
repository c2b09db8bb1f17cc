# syntax=docker/dockerfile:1
# Multi-stage build of the gateway. CI runs the same `dotnet publish` line (see .ci/run),
# because no Docker engine is available there.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first, from the project files only, so the layer is cached across code changes.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Gateway/Gateway.csproj src/Gateway/
COPY src/Gateway.MockProvider/Gateway.MockProvider.csproj src/Gateway.MockProvider/
# The image's own architecture (buildx sets TARGETARCH): the publish below is ReadyToRun, precompiled for it.
ARG TARGETARCH
RUN dotnet restore src/Gateway/Gateway.csproj -r "linux-$([ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64)"

COPY config/ config/
COPY src/ src/
# ReadyToRun (Gateway.csproj turns it on for a publish with a runtime identifier): the code is precompiled, so a
# fresh instance answers its first admin calls (a rollout abort) without waiting on the JIT under load.
RUN dotnet publish src/Gateway/Gateway.csproj -c Release -o /app/publish --no-restore \
      -r "linux-$([ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64)" --self-contained false

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
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Redis__Embedded__DataDirectory=/data \
    DOTNET_gcServer=1
EXPOSE 8080
VOLUME ["/data"]

HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1

ENTRYPOINT ["dotnet", "Gateway.dll"]
