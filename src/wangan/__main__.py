from wangan.cli.main import run

run()
