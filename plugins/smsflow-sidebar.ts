/**
 * The editor's "SMS" sidebar: a Node-RED plugin of this package. The
 * runtime half only registers it; the nodes publish what it shows
 * (nodes/activity.ts) over the editor's own comms.
 */
interface PluginAPI {
  plugins: { registerPlugin(id: string, definition: { type: string }): void };
}

export = function register(RED: PluginAPI): void {
  RED.plugins.registerPlugin('smsflow-sidebar', { type: 'smsflow-sidebar' });
};
