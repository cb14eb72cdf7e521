# Best effort: no Docker engine runs on the machines this project is built on, so this file
# has not been built. It mirrors the README's set-up on the .NET SDK's Debian image.
FROM mcr.microsoft.com/dotnet/sdk:10.0-bookworm-slim
WORKDIR /src
COPY . .
RUN ./scripts/setup.sh && dotnet build src/Receiver.Cli -c Release -o artifacts/cli
ENTRYPOINT ["./receiver"]
CMD ["eval", "--code", "LDPC_N121_K70", "--decoder", "bp,layered-nms", "--iterations", "5", "--ebn0", "3,4,5"]
