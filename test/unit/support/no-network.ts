import net from 'node:net';

/**
 * The unit layer runs without a database or server: any attempt to open a connection or listen
 * fails the test that made it, naming what it tried, instead of hanging or passing by luck.
 */
function refuse(what: string): never {
  throw new Error(`a unit test tried to ${what}; move the query to the executor and test the plan instead`);
}

net.Socket.prototype.connect = function connect(): never {
  return refuse('open a network connection');
};
net.Server.prototype.listen = function listen(): never {
  return refuse('start a server');
};
