import EnergizeCLI

await EnergizeCommand.runFromCommandLine()
