%import nox


@nox.session
def lint(session):
    session.run("ruff", "check", ".")


@nox.session(python=["3.10", "3.13"])
def tests(session):
    session.install(".[test]")
    session.run("pytest")
