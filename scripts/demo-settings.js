'use strict';
// Node-RED settings for `npm start`: the editor on loopback, the demo flow,
// and no modal prompts in front of a newcomer's first click.
module.exports = {
  uiHost: process.env.HOST || '127.0.0.1',
  uiPort: Number(process.env.PORT) || 1880,
  flowFile: 'flows.json',
  credentialSecret: 'smsflow-demo',
  telemetry: { enabled: false, updateNotification: false },
  diagnostics: { enabled: false },
  editorTheme: {
    tours: false,
    projects: { enabled: false },
  },
  logging: { console: { level: 'info', metrics: false, audit: false } },
};
