# The image the Kubernetes CronJob in docs/retention.md runs: rasdb installed from its npm package.
# Build it from a packed tarball, so the image holds exactly what users install:
#   npm pack && docker build --build-arg TARBALL=rasdb-0.1.0.tgz -t rasdb:0.1.0 .
FROM node:20-bookworm-slim
ARG TARBALL=rasdb-0.1.0.tgz
COPY ${TARBALL} /tmp/rasdb.tgz
RUN npm install --global --omit=dev --no-audit --no-fund /tmp/rasdb.tgz && rm /tmp/rasdb.tgz
# rasdb needs no root: PostgreSQL connections only (DATABASE_URL from a Secret).
USER node
WORKDIR /home/node
ENTRYPOINT ["rasdb"]
CMD ["--help"]
