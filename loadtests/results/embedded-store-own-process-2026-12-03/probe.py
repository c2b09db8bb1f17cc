import http.client, time, json, sys
port=int(sys.argv[1]); dur=float(sys.argv[2])
c=http.client.HTTPConnection('127.0.0.1',port)
body=json.dumps({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})
t0=time.time(); n=0; worst=0; stalls=[]
while time.time()-t0<dur:
    s=time.time()
    c.request('POST','/v1/chat/completions',body,{'Authorization':'Bearer sk-gateway-demo','Content-Type':'application/json'})
    r=c.getresponse(); r.read(); el=(time.time()-s)*1000; n+=1; worst=max(worst,el)
    if el>250: stalls.append(el); print(time.strftime('%H:%M:%S'),'STALL %.0f ms'%el,flush=True)
    time.sleep(0.05)
print('probe: %d requests, worst %.0f ms, stalls>250ms: %s'%(n,worst,[round(x) for x in stalls]),flush=True)
