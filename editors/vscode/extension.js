// The yakkan extension: starts `yakkan lsp` for .ctr files and connects VS Code to it over stdio.
// Highlighting comes from syntaxes/yakkan.tmLanguage.json and works without the server.
"use strict";

const path = require("path");
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

// The configured command; a relative path (".venv/bin/yakkan") is taken from the first workspace folder.
function yakkanCommand() {
  const command = vscode.workspace.getConfiguration("yakkan").get("command", "yakkan");
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  if (folder && command.includes("/") && !path.isAbsolute(command)) {
    return path.join(folder.uri.fsPath, command);
  }
  return command;
}

function startClient() {
  const server = { command: yakkanCommand(), args: ["lsp"] };
  client = new LanguageClient(
    "yakkan",
    "yakkan",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "yakkan" }, { scheme: "untitled", language: "yakkan" }] }
  );
  return client.start();
}

function activate(context) {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("yakkan.command")) {
        await deactivate();
        await startClient();
      }
    })
  );
  return startClient();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
