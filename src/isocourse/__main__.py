from isocourse.adapters.cli.main import run

run()
