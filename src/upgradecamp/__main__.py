from upgradecamp.cli import main

main()
