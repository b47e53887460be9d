from assembler.cli.main import main

main()
