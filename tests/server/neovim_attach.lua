-- Neovim 0.7 (Debian's), headless: start `recoverylint server`, attach it to
-- the runbook in $RUNBOOK, and write the diagnostics it publishes to $OUT
-- (JSON), or why none came.  Used by test_neovim.py.
local out = os.getenv("OUT")
local command = vim.fn.json_decode(os.getenv("SERVER_COMMAND"))
local received = nil

local function write(text)
  local file = assert(io.open(out, "w"))
  file:write(text)
  file:close()
end

local client_id = vim.lsp.start_client({
  name = "recoverylint",
  cmd = command,
  root_dir = vim.fn.getcwd(),
  handlers = {
    ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
      vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
      received = result
    end,
  },
})
if client_id == nil then
  write("error: the server did not start")
  vim.cmd("qall!")
end

vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("RUNBOOK")))
vim.lsp.buf_attach_client(0, client_id)
if vim.wait(60000, function() return received ~= nil end, 50) then
  -- What Neovim itself now holds for the buffer, as its users see it.
  local shown = {}
  for _, item in ipairs(vim.diagnostic.get(0)) do
    table.insert(shown, { line = item.lnum + 1, column = item.col + 1, code = item.code, message = item.message })
  end
  write(vim.fn.json_encode({ uri = received.uri, diagnostics = shown }))
else
  write("error: no diagnostics within a minute")
end
vim.lsp.stop_client(client_id)
vim.wait(5000, function() return vim.lsp.client_is_stopped(client_id) end, 50)
vim.cmd("qall!")
