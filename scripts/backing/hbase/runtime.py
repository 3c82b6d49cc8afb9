"""HBase's runtime: jars fetched by pom.xml from Maven Central, the java command, the config."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

from scripts.backing.process import Failure, run, tail

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
SITE_TEMPLATE = HERE / "hbase-site.xml"
LOG4J2 = HERE / "log4j2.properties"

# only the slf4j binding of log4j2 stays, so SLF4J never sees two bindings
EXCLUDED_ARTIFACTS = (
    "slf4j-reload4j,slf4j-log4j12,reload4j,log4j,logback-classic,logback-core,commons-logging"
)

JVM_FLAGS = [
    # what HBase 2.6's bin/hbase adds on JDK 11+ (add_jdk11_jvm_flags), plus logging setup
    "-XX:+UseG1GC", "-XX:OnOutOfMemoryError=kill -9 %p",
    "-Djava.util.logging.config.class=org.apache.hadoop.hbase.logging.JulToSlf4jInitializer",
    "-Dorg.apache.hbase.thirdparty.io.netty.tryReflectionSetAccessible=true",
    "--add-modules", "jdk.unsupported",
    "--add-opens", "java.base/java.io=ALL-UNNAMED",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens", "java.base/java.util=ALL-UNNAMED",
    "--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports", "java.security.jgss/sun.security.krb5=ALL-UNNAMED",
    "--add-exports", "java.base/sun.net.dns=ALL-UNNAMED",
    "--add-exports", "java.base/sun.net.util=ALL-UNNAMED",
]  # fmt: skip


def pom_version(pom: Path = POM) -> str:
    found = re.search(r"<hbase.version>([^<]+)</hbase.version>", pom.read_text())
    return found.group(1) if found else "unknown"


def pom_digest(pom: Path = POM) -> str:
    """Recorded next to the jars: a changed POM means the jars are fetched again."""
    return hashlib.sha256(pom.read_bytes()).hexdigest()


def jars_current(lib: Path) -> bool:
    marker = lib / ".complete"
    return marker.exists() and marker.read_text().strip() == pom_digest()


def fetch_jars(name: str, lib: Path, maven_repo: Path, fetch_log: Path) -> int:
    """Copy the POM's runtime jars into `lib` (via lib.tmp, renamed on success); the jar count."""
    tmp = lib.with_name("lib.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    fetch_log.parent.mkdir(parents=True, exist_ok=True)
    with open(fetch_log, "wb") as log:
        res = subprocess.run(
            ["mvn", "-B", "-q", "-f", str(POM), f"-Dmaven.repo.local={maven_repo}",
             "org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies",
             "-DincludeScope=runtime", f"-DoutputDirectory={tmp}",
             f"-DexcludeArtifactIds={EXCLUDED_ARTIFACTS}"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, timeout=1200,
            check=False,
        )  # fmt: skip
    if res.returncode != 0 or not any(tmp.glob("hbase-server-*.jar")):
        raise Failure(
            f"{name}: fetching the HBase jars failed; log: {fetch_log}\n{tail(fetch_log)}"
        )
    (tmp / ".complete").write_text(pom_digest() + "\n")
    shutil.rmtree(lib, ignore_errors=True)
    tmp.rename(lib)
    return sum(1 for _ in lib.glob("*.jar"))


def java_major(java: str) -> int | None:
    try:
        found = re.search(r'version "(\d+)', run([java, "-version"], timeout=30).stderr)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return int(found.group(1)) if found else None


def java_command(
    java_home: str | None, heap: str, proc_name: str, conf: Path, lib: Path
) -> list[str]:
    """`java ... -cp conf:lib/*`, ready for a main class and its arguments."""
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java") or "java"
    flags = list(JVM_FLAGS)
    major = java_major(java)
    if major is not None and major >= 18:
        flags.append("-Djava.security.manager=allow")  # Hadoop 3.3/3.4 on JDK 18+
    return [java, f"-Dproc_{proc_name}", f"-Xmx{heap}", *flags,
            f"-Dlog4j2.configurationFile={conf / 'log4j2.properties'}",
            "-cp", f"{conf}:{lib}/*"]  # fmt: skip


def write_conf(conf: Path, data: Path, zk_port: int, thrift_port: int) -> None:
    """Render hbase-site.xml from its template and copy log4j2.properties beside it."""
    conf.mkdir(parents=True, exist_ok=True)
    site = (
        SITE_TEMPLATE.read_text()
        .replace("@DATA@", str(data))
        .replace("@ZK_PORT@", str(zk_port))
        .replace("@THRIFT_PORT@", str(thrift_port))
    )
    (conf / "hbase-site.xml").write_text(site)
    shutil.copyfile(LOG4J2, conf / "log4j2.properties")
